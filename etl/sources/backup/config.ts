import { z } from 'zod';
import { IANAZone } from 'luxon';
import { ConfigError } from '../../../common/errors.js';
import { redactUrl } from '../../../common/db/knex-url.js';
import { unitByCode } from '../../../common/units.js';
import { loadVeeamColumnMap, type VeeamColumnMap } from './column-map.js';
import { DEFAULT_TIMEZONE } from '../../../common/definitions/timezone.js';

/**
 * Settings of the backup sources. `veeamDir` and `bareosUrl` come from common/config.ts
 * (`sources.backup`: PANO_VEEAM_DIR, PANO_BAREOS_URL); the others have defaults and are named here by the
 * environment variable they are meant to come from (see README "Settings").
 */
const zone = z
  .string()
  .trim()
  .refine((tz) => IANAZone.isValidZone(tz), { message: 'is not an IANA time zone (e.g. Europe/Istanbul)' });

export const backupConfigSchema = z
  .object({
    /** Folder of Veeam session exports (`*.csv`, sub-folders included). */
    veeamDir: z.string().trim().min(1, 'is empty'),
    /** Bareos/Bacula catalog: postgres://…, mysql://… (or mariadb://…), or sqlite:<file> for the demo. */
    bareosUrl: z
      .string()
      .trim()
      .min(1, 'is empty')
      .refine((u) => /^(sqlite:|mysql:\/\/|mariadb:\/\/|postgres(ql)?:\/\/)/.test(u), {
        message: 'must be postgres://user:password@host:5432/bareos, mysql://user:password@host:3306/bareos or sqlite:<file>',
      }),
    /** Zone of the Veeam server: local times in en-US / tr-TR exports are its wall clock. */
    veeamTimezone: zone.default(DEFAULT_TIMEZONE),
    /** Zone of the Bareos director: catalog times are its wall clock. */
    bareosTimezone: zone.default(DEFAULT_TIMEZONE),
    /** Optional CSV: server (or pattern) → service, unit, RPO target. */
    serviceMapFile: z.string().trim().min(1).optional(),
    /** Optional JSON: the site's Veeam export headers (and status words) → Pano's (column-map.ts). */
    veeamColumnMapFile: z.string().trim().min(1, 'is empty').optional(),
    /** RPO target of servers without one in the service map (hours). */
    rpoTargetHours: z.coerce.number().positive('must be a positive number of hours').default(24),
    /** Unit of servers without one in the service map. */
    defaultUnitCode: z
      .string()
      .trim()
      .default('BILGI_ISLEM')
      .refine((c) => unitByCode(c) !== undefined, { message: 'is not a unit code of common/units.ts' }),
  })
  .strict();

export type BackupConfig = z.infer<typeof backupConfigSchema> & {
  /** The column map read from `veeamColumnMapFile` (checked when the settings are parsed). */
  veeamColumnMap?: VeeamColumnMap;
};
export type BackupConfigInput = z.input<typeof backupConfigSchema>;

export const BACKUP_ENV_NAMES: Record<keyof z.infer<typeof backupConfigSchema>, string> = {
  veeamDir: 'PANO_VEEAM_DIR',
  bareosUrl: 'PANO_BAREOS_URL',
  veeamTimezone: 'PANO_VEEAM_TIMEZONE',
  bareosTimezone: 'PANO_BAREOS_TIMEZONE',
  serviceMapFile: 'PANO_BACKUP_SERVICE_MAP',
  veeamColumnMapFile: 'PANO_VEEAM_COLUMN_MAP',
  rpoTargetHours: 'PANO_BACKUP_RPO_HOURS',
  defaultUnitCode: 'PANO_BACKUP_DEFAULT_UNIT',
};

/**
 * Parses the backup settings, reporting every bad key at once (named by its environment variable). The Veeam
 * column map file is read and checked here too: a bad one is reported with the others, naming the file and entry.
 */
export function parseBackupConfig(input: unknown): BackupConfig {
  const parsed = backupConfigSchema.safeParse(input);
  const mapFile = (input as { veeamColumnMapFile?: unknown } | undefined)?.veeamColumnMapFile;
  let veeamColumnMap: VeeamColumnMap | undefined;
  let mapProblem: string | null = null;
  if (typeof mapFile === 'string' && mapFile.trim() !== '') {
    try {
      veeamColumnMap = loadVeeamColumnMap(mapFile.trim());
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      mapProblem = e.message;
    }
  }
  if (parsed.success && mapProblem === null) return veeamColumnMap ? { ...parsed.data, veeamColumnMap } : parsed.data;
  const lines = (parsed.success ? [] : parsed.error.issues).map((i) => {
    const key = String(i.path[0] ?? '') as keyof typeof BACKUP_ENV_NAMES;
    return `  ${BACKUP_ENV_NAMES[key] ?? (key || 'backup')}: ${i.message}`;
  });
  if (mapProblem !== null) lines.push(`  ${mapProblem.replace(/\n/g, '\n  ')}`);
  const raw = input as { bareosUrl?: unknown } | undefined;
  const shown = typeof raw?.bareosUrl === 'string' ? ` (catalog ${redactUrl(raw.bareosUrl)})` : '';
  throw new ConfigError(`Invalid backup source settings${shown}:\n${lines.join('\n')}`);
}

/**
 * File name of the service map `pano demo` writes beside the Veeam folder. In demo mode, when no map is
 * configured, backupSources() uses it if it is there.
 */
export const DEMO_SERVICE_MAP_NAME = 'hizmet-eslemesi.csv';
