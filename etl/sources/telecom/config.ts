import { IANAZone } from 'luxon';
import { z } from 'zod';
import type { PanoConfig } from '../../../common/config.js';
import { ConfigError } from '../../../common/errors.js';
import { DEFAULT_TIMEZONE } from '../../../common/definitions/timezone.js';

/**
 * Settings of the telecom source. From the environment: PANO_TELECOM_INVOICE_DIR,
 * PANO_TELECOM_LINES_FILE, PANO_TELECOM_DETAIL_DIR (common/config.ts reads them into
 * `sources.telecom`), the KVKK secret (PANO_KVKK_SECRET) and the business time zone (PANO_TIMEZONE).
 */
export const telecomConfigSchema = z
  .object({
    /** The e-Fatura inbox export: a folder searched recursively for *.xml (UBL-TR invoices, e-Arşiv too). */
    invoiceDir: z.string().trim().min(1, 'is empty'),
    /** The line registry CSV (hat listesi): line number → unit, line type, operator, tariff, budget, period. */
    linesFile: z.string().trim().min(1, 'is empty'),
    /** A folder of operator detail exports (*.csv, *.txt; `;`; UTF-8 or windows-1254), searched recursively. */
    detailDir: z.string().trim().min(1, 'is empty'),
    /** Key of the HMAC that replaces TC Kimlik Nos (e-Arşiv buyers, subscriber numbers that are TCKNs). */
    kvkkSecret: z.string().min(16, 'must be at least 16 characters'),
    /** Zone of the invoices' IssueDate/IssueTime (GİB: Türkiye time). */
    timezone: z
      .string()
      .trim()
      .default(DEFAULT_TIMEZONE)
      .refine((tz) => IANAZone.isValidZone(tz), { message: 'is not an IANA time zone (e.g. Europe/Istanbul)' }),
  })
  .strict();

export type TelecomConfig = z.infer<typeof telecomConfigSchema>;

const ENV_NAMES: Record<string, string> = {
  invoiceDir: 'PANO_TELECOM_INVOICE_DIR',
  linesFile: 'PANO_TELECOM_LINES_FILE',
  detailDir: 'PANO_TELECOM_DETAIL_DIR',
  kvkkSecret: 'PANO_KVKK_SECRET',
  timezone: 'PANO_TIMEZONE',
};

/** The telecom slice of Pano's configuration, checked; every bad key is reported at once. */
export function telecomConfigFrom(config: PanoConfig): TelecomConfig {
  const parsed = telecomConfigSchema.safeParse({ ...config.sources.telecom, kvkkSecret: config.kvkk.secret, timezone: config.timezone });
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${ENV_NAMES[String(i.path[0])] ?? i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid telecom configuration:\n${lines.join('\n')}`);
  }
  return parsed.data;
}
