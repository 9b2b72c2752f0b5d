import { z } from 'zod';
import { ConfigError } from '../../../common/errors.js';
import { redactUrl } from '../../../common/db/knex-url.js';

/**
 * Settings of the HR source. From the environment (common/config.ts reads them into
 * `sources.hr` and `kvkk`): PANO_HR_EXPORT_DIR, PANO_HR_DB_URL, PANO_KVKK_SECRET.
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
  })
  .strict();

export type HrConfig = z.infer<typeof hrConfigSchema>;

const ENV_NAMES: Record<string, string> = {
  exportDir: 'PANO_HR_EXPORT_DIR',
  dbUrl: 'PANO_HR_DB_URL',
  kvkkSecret: 'PANO_KVKK_SECRET',
};

/** Parses the HR settings, reporting every bad key at once, named by its environment variable. */
export function parseHrConfig(input: unknown): HrConfig {
  const parsed = hrConfigSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((i) => {
    const key = String(i.path[0] ?? '');
    return `  ${ENV_NAMES[key] ?? (key || 'hr')}: ${i.message}`;
  });
  const raw = input as { dbUrl?: unknown } | undefined;
  const shown = typeof raw?.dbUrl === 'string' ? ` (database ${redactUrl(raw.dbUrl)})` : '';
  throw new ConfigError(`Invalid HR source settings${shown}:\n${lines.join('\n')}`);
}
