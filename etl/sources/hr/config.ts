import { z } from 'zod';
import { ConfigError } from '../../../common/errors.js';
import { redactUrl } from '../../../common/db/knex-url.js';
import { loadHrColumnMap, type HrColumnMap } from './column-map.js';

/**
 * Settings of the HR source. From the environment (common/config.ts reads them into
 * `sources.hr` and `kvkk`): PANO_HR_EXPORT_DIR, PANO_HR_DB_URL, PANO_KVKK_SECRET, PANO_HR_COLUMN_MAP.
 */
export const hrConfigSchema = z
  .object({
    /** Folder holding the export files (personel*, egitim*, izin* as .csv or .xlsx). Read when dbUrl is not set. */
    exportDir: z.string().trim().min(1, 'is empty'),
    /**
     * The HR database, `postgres://user:password@host:5432/database` (tables or views personel, egitim,
     * izin). When set, the three HR streams read the database instead of the files.
     */
    dbUrl: z
      .string()
      .trim()
      .min(1, 'is empty')
      .refine((u) => /^postgres(ql)?:\/\//.test(u), { message: 'must be postgres://user:password@host:5432/database' })
      .optional(),
    /** Key of the HMAC that replaces every TC Kimlik No (at least 16 characters; keep it secret and stable). */
    kvkkSecret: z.string().min(16, 'must be at least 16 characters'),
    /** Optional JSON: the site's export headers (and employment, gender, leave words) → Pano's (column-map.ts). */
    columnMapFile: z.string().trim().min(1, 'is empty').optional(),
  })
  .strict();

export type HrConfig = z.infer<typeof hrConfigSchema> & {
  /** The column map read from `columnMapFile` (checked when the settings are parsed). */
  columnMap?: HrColumnMap;
};

const ENV_NAMES: Record<string, string> = {
  exportDir: 'PANO_HR_EXPORT_DIR',
  dbUrl: 'PANO_HR_DB_URL',
  kvkkSecret: 'PANO_KVKK_SECRET',
  columnMapFile: 'PANO_HR_COLUMN_MAP',
};

/**
 * Parses the HR settings, reporting every bad key at once, named by its environment variable. The column
 * map file is read and checked here too: a bad one is reported with the others, naming the file and entry.
 */
export function parseHrConfig(input: unknown): HrConfig {
  const parsed = hrConfigSchema.safeParse(input);
  const mapFile = (input as { columnMapFile?: unknown } | undefined)?.columnMapFile;
  let columnMap: HrColumnMap | undefined;
  let mapProblem: string | null = null;
  if (typeof mapFile === 'string' && mapFile.trim() !== '') {
    try {
      columnMap = loadHrColumnMap(mapFile.trim());
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      mapProblem = e.message;
    }
  }
  if (parsed.success && mapProblem === null) return columnMap ? { ...parsed.data, columnMap } : parsed.data;
  const lines = (parsed.success ? [] : parsed.error.issues).map((i) => {
    const key = String(i.path[0] ?? '');
    return `  ${ENV_NAMES[key] ?? (key || 'hr')}: ${i.message}`;
  });
  if (mapProblem !== null) lines.push(`  ${mapProblem.replace(/\n/g, '\n  ')}`);
  const raw = input as { dbUrl?: unknown } | undefined;
  const shown = typeof raw?.dbUrl === 'string' ? ` (database ${redactUrl(raw.dbUrl)})` : '';
  throw new ConfigError(`Invalid HR source settings${shown}:\n${lines.join('\n')}`);
}
