import { z } from 'zod';
import { IANAZone } from 'luxon';
import { ConfigError } from '../../../common/errors.js';
import { redactUrl } from '../../../common/db/knex-url.js';
import { DEFAULT_TIMEZONE } from '../../../common/definitions/timezone.js';

/**
 * Settings of the GLPI source. From the environment: PANO_GLPI_URL, PANO_GLPI_TIMEZONE,
 * PANO_GLPI_UNIT_MAP (common/config.ts reads them into `sources.glpi`).
 */
export const glpiConfigSchema = z
  .object({
    /**
     * Where GLPI's database is: `mysql://user:password@host:3306/glpi` (MariaDB or MySQL, a
     * read-only account is enough) or `sqlite:<file>` for the embedded demo source.
     */
    url: z
      .string()
      .trim()
      .min(1, 'is empty')
      .refine((u) => /^(sqlite:|mysql:\/\/|mariadb:\/\/)/.test(u), {
        message: 'must be mysql://user:password@host:port/database (MariaDB/MySQL) or sqlite:<file>',
      }),
    /**
     * IANA zone in which the database session shows GLPI's datetimes — the zone GLPI writes
     * them in. Almost always Europe/Istanbul. Pano converts them to UTC instants.
     */
    timezone: z
      .string()
      .trim()
      .default(DEFAULT_TIMEZONE)
      .refine((tz) => IANAZone.isValidZone(tz), { message: 'is not an IANA time zone (e.g. Europe/Istanbul)' }),
    /** Optional JSON file {"<GLPI group or entity name>": "<UNIT_CODE>"} for names that are not unit names. */
    unitMapFile: z.string().trim().min(1).optional(),
  })
  .strict();

export type GlpiConfig = z.infer<typeof glpiConfigSchema>;

const ENV_NAMES: Record<string, string> = { url: 'PANO_GLPI_URL', timezone: 'PANO_GLPI_TIMEZONE', unitMapFile: 'PANO_GLPI_UNIT_MAP' };

/** Parses the GLPI settings, reporting every bad key at once (named by its environment variable). */
export function parseGlpiConfig(input: unknown): GlpiConfig {
  const parsed = glpiConfigSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((i) => {
    const key = String(i.path[0] ?? '');
    return `  ${ENV_NAMES[key] ?? (key || 'glpi')}: ${i.message}`;
  });
  const raw = input as { url?: unknown } | undefined;
  const shown = typeof raw?.url === 'string' ? ` (url ${redactUrl(raw.url)})` : '';
  throw new ConfigError(`Invalid GLPI source settings${shown}:\n${lines.join('\n')}`);
}
