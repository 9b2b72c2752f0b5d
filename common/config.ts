import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import dotenv from 'dotenv';
import { z } from 'zod';
import { ConfigError } from './errors.js';
import { DEFAULT_TIMEZONE, isTimeZoneName } from './definitions/timezone.js';

/**
 * Pano's whole configuration, parsed once at start from the environment (and `.env`).
 * Every key is PANO_<AREA>_<THING>; `.env.example` documents them all.
 */
const boolish = z.string().transform((v) => ['1', 'true', 'yes', 'evet', 'on'].includes(v.trim().toLowerCase()));
/** An IANA time zone name: the marts write it into SQL, so nothing else gets through. */
const timeZone = z.string().refine(isTimeZoneName, { message: 'is not an IANA time zone (e.g. Europe/Istanbul, UTC)' });

const schema = z.object({
  PANO_MODE: z.enum(['demo', 'production']).default('demo'),
  PANO_DATA_DIR: z.string().default('./data'),
  PANO_HOST: z.string().default('127.0.0.1'),
  PANO_PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  PANO_PUBLIC_URL: z.string().url().optional(),
  PANO_JWT_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  PANO_JWT_TTL: z.string().default('8h'),
  /** Host names (besides PANO_PUBLIC_URL's and loopback) the server answers to outside demo mode, comma-separated. */
  PANO_ALLOWED_HOSTS: z.string().optional(),
  /** Failed logins before a username is locked, and for how long; failures from one address before it is slowed down. */
  PANO_LOGIN_MAX_FAILURES: z.coerce.number().int().min(1).max(1000).default(5),
  PANO_LOGIN_LOCK_MINUTES: z.coerce
    .number()
    .positive()
    .max(24 * 60)
    .default(15),
  PANO_LOGIN_IP_MAX_FAILURES: z.coerce.number().int().min(1).max(100000).default(20),
  /** The API's result cache (MB of answers kept; answers larger than the entry size are not kept) and row cap per query. */
  PANO_API_CACHE_MB: z.coerce.number().min(0).max(65536).default(64),
  PANO_API_CACHE_ENTRY_MB: z.coerce.number().min(0).max(65536).default(4),
  PANO_API_MAX_ROWS: z.coerce.number().int().min(1).max(1_000_000).default(50_000),
  PANO_APP_DB_URL: z.string().optional(),
  /** The business time zone: the marts' dates (opened_date, session_date, …), schedules, report dates. */
  PANO_TIMEZONE: timeZone.default(DEFAULT_TIMEZONE),
  PANO_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Log lines: `auto` (human lines on a terminal, JSON otherwise), `json` or `pretty` (always human lines). */
  PANO_LOG_FORMAT: z.enum(['auto', 'json', 'pretty']).default('auto'),
  PANO_SNAPSHOTS_KEEP: z.coerce.number().int().min(1).default(3),
  /** DuckDB while the ETL builds a snapshot: memory cap (its buffer cache spills to disk beyond it) and threads. */
  PANO_DUCKDB_MEMORY_LIMIT: z
    .string()
    .regex(/^\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i, 'must be a size such as 1GB or 512MB')
    .default('512MB'),
  PANO_DUCKDB_THREADS: z.coerce.number().int().min(1).max(256).optional(),
  /** PostgreSQL warehouse: the ETL also publishes the marts there and the API serves from it (unset: DuckDB only). */
  PANO_WAREHOUSE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL (e.g. postgres://pano@db:5432/pano_dwh)')
    .optional(),

  PANO_GLPI_URL: z.string().optional(),
  /** The zone GLPI's database writes its datetimes in (a source-system setting, not the business zone). */
  PANO_GLPI_TIMEZONE: z.string().default(DEFAULT_TIMEZONE),
  PANO_GLPI_UNIT_MAP: z.string().optional(),

  PANO_SNIPEIT_URL: z.string().url().optional(),
  PANO_SNIPEIT_TOKEN: z.string().optional(),

  PANO_TELECOM_INVOICE_DIR: z.string().optional(),
  PANO_TELECOM_LINES_FILE: z.string().optional(),
  PANO_TELECOM_DETAIL_DIR: z.string().optional(),

  PANO_VEEAM_DIR: z.string().optional(),
  PANO_BAREOS_URL: z.string().optional(),
  PANO_VEEAM_TIMEZONE: z.string().optional(),
  PANO_BAREOS_TIMEZONE: z.string().optional(),
  PANO_BACKUP_SERVICE_MAP: z.string().optional(),
  PANO_BACKUP_RPO_HOURS: z.coerce.number().positive().optional(),
  PANO_BACKUP_DEFAULT_UNIT: z.string().optional(),
  /** JSON: the site's Veeam export headers (and status words) → Pano's (etl/sources/backup/README.md). */
  PANO_VEEAM_COLUMN_MAP: z.string().optional(),

  PANO_HR_EXPORT_DIR: z.string().optional(),
  PANO_HR_DB_URL: z.string().optional(),
  /** JSON: the site's HR export headers (and employment, gender, leave words) → Pano's (etl/sources/hr/README.md). */
  PANO_HR_COLUMN_MAP: z.string().optional(),

  PANO_KVKK_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),

  PANO_SMTP_URL: z.string().optional(),
  PANO_SMTP_FROM: z.string().default('Pano <pano@sultanbeyli.bel.tr>'),
  PANO_DEMO_SMTP_PORT: z.coerce.number().int().min(0).max(65535).default(2525),
  PANO_MAIL_RETRIES: z.coerce.number().int().min(0).max(10).default(3),

  PANO_CHROMIUM_PATH: z.string().default('/usr/bin/chromium'),
  PANO_REPORT_TIMEOUT_MS: z.coerce.number().int().min(1000).default(60000),

  PANO_SCHEDULER_ENABLED: boolish.default(true),
  PANO_DIRECTOR_EMAIL: z.string().email().default('mudur@sultanbeyli.bel.tr'),
  PANO_HELPDESK_WEEKLY_CRON: z.string().default('0 8 * * 1'),
});

export type RawConfig = z.infer<typeof schema>;

export interface PanoConfig {
  mode: 'demo' | 'production';
  dataDir: string;
  /** PANO_TIMEZONE: the business time zone (an IANA name, checked). */
  timezone: string;
  logLevel: RawConfig['PANO_LOG_LEVEL'];
  logFormat: RawConfig['PANO_LOG_FORMAT'];
  server: { host: string; port: number; publicUrl: string; allowedHosts: string[] };
  auth: { jwtSecret: string; jwtTtl: string; login: { maxFailures: number; lockMinutes: number; ipMaxFailures: number } };
  /** The query API's bounds: result cache in bytes, row cap per query. */
  api: { cacheBytes: number; cacheEntryBytes: number; maxRows: number };
  appDbUrl: string;
  /** DuckDB settings of the ETL's write connection (spill files go to <data>/duckdb-tmp). */
  duckdb: { memoryLimit: string; threads?: number; tempDir: string };
  /** postgresUrl set: marts are published into PostgreSQL too and the API reads them there. */
  warehouse: { dir: string; keep: number; postgresUrl?: string };
  sources: {
    glpi: { url: string; timezone: string; unitMapFile?: string };
    /** Snipe-IT is optional: without a URL its source is not run. */
    snipeit: { url?: string; token?: string };
    telecom: { invoiceDir: string; linesFile: string; detailDir: string };
    backup: {
      veeamDir: string;
      bareosUrl: string;
      /** Zone of the local times in Veeam exports / the catalog (default PANO_TIMEZONE). */
      veeamTimezone?: string;
      bareosTimezone?: string;
      /** CSV mapping jobs/servers to services, units and RPO targets. */
      serviceMapFile?: string;
      rpoTargetHours?: number;
      defaultUnitCode?: string;
      /** JSON mapping the site's Veeam export headers and status words onto Pano's. */
      veeamColumnMapFile?: string;
    };
    /** HR from export files, or from the HR database when dbUrl is set. */
    hr: { exportDir: string; dbUrl?: string; /** JSON mapping the site's HR export headers and words onto Pano's. */ columnMapFile?: string };
    demoDir: string;
  };
  /** Key of the HMAC that replaces TC Kimlik Nos (KVKK). */
  kvkk: { secret: string };
  mail: { smtpUrl: string; from: string; demoSmtpPort: number; retries: number; mailboxDir: string };
  reports: { chromiumPath: string; timeoutMs: number };
  scheduler: { enabled: boolean; directorEmail: string; helpdeskWeeklyCron: string };
}

/** Reads `.env` (if present) without overriding real environment variables. */
export function loadDotenv(file = '.env'): void {
  if (fs.existsSync(file)) dotenv.config({ path: file, quiet: true });
}

/**
 * Parses the environment into a PanoConfig. Every invalid key is reported at once.
 * Outside demo mode a JWT secret is required; in demo mode one is generated and kept in the data dir.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): PanoConfig {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const c = parsed.data;
  const dataDir = path.resolve(c.PANO_DATA_DIR);
  const demo = c.PANO_MODE === 'demo';
  const missing: string[] = [];
  if (!demo && !c.PANO_JWT_SECRET) missing.push('PANO_JWT_SECRET (required when PANO_MODE=production)');
  if (!demo && !c.PANO_GLPI_URL) missing.push('PANO_GLPI_URL (required when PANO_MODE=production)');
  if (!demo && !c.PANO_SMTP_URL) missing.push('PANO_SMTP_URL (required when PANO_MODE=production)');
  if (!demo && !c.PANO_KVKK_SECRET) missing.push('PANO_KVKK_SECRET (required when PANO_MODE=production)');
  if (missing.length) throw new ConfigError(`Missing configuration:\n${missing.map((m) => `  ${m}`).join('\n')}`);

  const demoDir = path.join(dataDir, 'sources');
  const port = c.PANO_PORT;
  return {
    mode: c.PANO_MODE,
    dataDir,
    timezone: c.PANO_TIMEZONE,
    logLevel: c.PANO_LOG_LEVEL,
    logFormat: c.PANO_LOG_FORMAT,
    server: {
      host: c.PANO_HOST,
      port,
      publicUrl: c.PANO_PUBLIC_URL ?? `http://localhost:${port}`,
      allowedHosts: (c.PANO_ALLOWED_HOSTS ?? '')
        .split(',')
        .map((h) => h.trim().toLowerCase())
        .filter(Boolean),
    },
    auth: {
      jwtSecret: c.PANO_JWT_SECRET ?? demoSecret(dataDir, 'jwt'),
      jwtTtl: c.PANO_JWT_TTL,
      login: { maxFailures: c.PANO_LOGIN_MAX_FAILURES, lockMinutes: c.PANO_LOGIN_LOCK_MINUTES, ipMaxFailures: c.PANO_LOGIN_IP_MAX_FAILURES },
    },
    api: {
      cacheBytes: Math.round(c.PANO_API_CACHE_MB * 1024 * 1024),
      cacheEntryBytes: Math.round(c.PANO_API_CACHE_ENTRY_MB * 1024 * 1024),
      maxRows: c.PANO_API_MAX_ROWS,
    },
    kvkk: { secret: c.PANO_KVKK_SECRET ?? demoSecret(dataDir, 'kvkk') },
    appDbUrl: c.PANO_APP_DB_URL ?? `sqlite:${path.join(dataDir, 'pano.sqlite')}`,
    duckdb: { memoryLimit: c.PANO_DUCKDB_MEMORY_LIMIT.replace(/\s+/g, ''), threads: c.PANO_DUCKDB_THREADS, tempDir: path.join(dataDir, 'duckdb-tmp') },
    warehouse: { dir: path.join(dataDir, 'warehouse'), keep: c.PANO_SNAPSHOTS_KEEP, postgresUrl: c.PANO_WAREHOUSE_URL },
    sources: {
      glpi: {
        url: c.PANO_GLPI_URL ?? `sqlite:${path.join(demoDir, 'glpi.sqlite')}`,
        timezone: c.PANO_GLPI_TIMEZONE,
        unitMapFile: c.PANO_GLPI_UNIT_MAP,
      },
      snipeit: { url: c.PANO_SNIPEIT_URL, token: c.PANO_SNIPEIT_TOKEN },
      telecom: {
        invoiceDir: path.resolve(c.PANO_TELECOM_INVOICE_DIR ?? path.join(demoDir, 'telecom', 'invoices')),
        linesFile: path.resolve(c.PANO_TELECOM_LINES_FILE ?? path.join(demoDir, 'telecom', 'hat-listesi.csv')),
        detailDir: path.resolve(c.PANO_TELECOM_DETAIL_DIR ?? path.join(demoDir, 'telecom', 'operator')),
      },
      backup: {
        veeamDir: path.resolve(c.PANO_VEEAM_DIR ?? path.join(demoDir, 'backup', 'veeam')),
        bareosUrl: c.PANO_BAREOS_URL ?? `sqlite:${path.join(demoDir, 'backup', 'bareos-catalog.sqlite')}`,
        veeamTimezone: c.PANO_VEEAM_TIMEZONE,
        bareosTimezone: c.PANO_BAREOS_TIMEZONE,
        serviceMapFile: c.PANO_BACKUP_SERVICE_MAP ? path.resolve(c.PANO_BACKUP_SERVICE_MAP) : undefined,
        rpoTargetHours: c.PANO_BACKUP_RPO_HOURS,
        defaultUnitCode: c.PANO_BACKUP_DEFAULT_UNIT,
        veeamColumnMapFile: c.PANO_VEEAM_COLUMN_MAP ? path.resolve(c.PANO_VEEAM_COLUMN_MAP) : undefined,
      },
      hr: {
        exportDir: path.resolve(c.PANO_HR_EXPORT_DIR ?? path.join(demoDir, 'hr')),
        dbUrl: c.PANO_HR_DB_URL,
        columnMapFile: c.PANO_HR_COLUMN_MAP ? path.resolve(c.PANO_HR_COLUMN_MAP) : undefined,
      },
      demoDir,
    },
    mail: {
      smtpUrl: c.PANO_SMTP_URL ?? `smtp://127.0.0.1:${c.PANO_DEMO_SMTP_PORT}`,
      from: c.PANO_SMTP_FROM,
      demoSmtpPort: c.PANO_DEMO_SMTP_PORT,
      retries: c.PANO_MAIL_RETRIES,
      mailboxDir: path.join(dataDir, 'mail'),
    },
    reports: { chromiumPath: c.PANO_CHROMIUM_PATH, timeoutMs: c.PANO_REPORT_TIMEOUT_MS },
    scheduler: {
      enabled: c.PANO_SCHEDULER_ENABLED,
      directorEmail: c.PANO_DIRECTOR_EMAIL,
      helpdeskWeeklyCron: c.PANO_HELPDESK_WEEKLY_CRON,
    },
  };
}

/** Demo mode only: a random secret created once and kept beside the data, never committed. */
function demoSecret(dataDir: string, name: 'jwt' | 'kvkk'): string {
  const file = path.join(dataDir, `.demo-${name}-secret`);
  if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8').trim();
  fs.mkdirSync(dataDir, { recursive: true });
  const secret = crypto.randomBytes(32).toString('hex');
  fs.writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}
