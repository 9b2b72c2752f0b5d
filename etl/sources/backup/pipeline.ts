import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Knex } from 'knex';
import type { PanoConfig } from '../../../common/config.js';
import { describeUrl } from '../../../common/db/knex-url.js';
import { redactTcknInRecord, redactTcknInText } from '../../../common/kvkk.js';
import {
  connectBareos,
  DEMO_SERVICE_MAP_NAME,
  extractBareosJobs,
  Hash64Set,
  hash64,
  LEVEL_LABELS,
  listVeeamFiles,
  loadServiceMap,
  normalizeServerName,
  ObjectResolver,
  parseBackupConfig,
  validateBareosJob,
  validateVeeamRow,
  extractVeeamExports,
  type BackupConfig,
  type BackupConfigInput,
  type RawBareosJob,
  type VeeamFileReport,
  type VeeamRecord,
} from './index.js';
import { bulkVeeamExports } from './veeam-bulk.js';
import type { CheckContext, QualityCheckResult, SourceDefinition, Validated } from '../../source.js';
import type { Column } from '../../warehouse/duckdb.js';
import { SOURCE_IDS } from '../../source-ids.js';

/**
 * The backup system's two streams as runner sources:
 * - `backup_veeam`: Veeam session exports (CSV, three shapes, any culture) → raw_backup.veeam_sessions
 * - `backup_bareos`: the Bareos/Bacula catalog (Job + JobHisto) → raw_backup.bareos_jobs
 * Each row gets its server, service, unit and RPO target here (sources/backup/objects.ts).
 */

export const VEEAM_SOURCE_ID = SOURCE_IDS.backupVeeam;
export const BAREOS_SOURCE_ID = SOURCE_IDS.backupBareos;

export const VEEAM_COLUMNS: Column[] = [
  { name: 'session_key', type: 'VARCHAR' },
  { name: 'session_id', type: 'VARCHAR' },
  { name: 'source_file', type: 'VARCHAR' },
  { name: 'source_line', type: 'INTEGER' },
  { name: 'export_shape', type: 'VARCHAR' },
  { name: 'export_culture', type: 'VARCHAR' },
  { name: 'file_encoding', type: 'VARCHAR' },
  { name: 'job_name', type: 'VARCHAR' },
  { name: 'object_name', type: 'VARCHAR' },
  { name: 'object_type', type: 'VARCHAR' },
  { name: 'server', type: 'VARCHAR' },
  { name: 'service', type: 'VARCHAR' },
  { name: 'unit_code', type: 'VARCHAR' },
  { name: 'rpo_target_hours', type: 'DOUBLE' },
  { name: 'in_service_map', type: 'BOOLEAN' },
  { name: 'level_raw', type: 'VARCHAR' },
  { name: 'level_kind', type: 'VARCHAR' },
  { name: 'level', type: 'VARCHAR' },
  { name: 'job_algorithm', type: 'VARCHAR' },
  { name: 'result', type: 'VARCHAR' },
  { name: 'state', type: 'VARCHAR' },
  { name: 'status', type: 'VARCHAR' },
  { name: 'started_at', type: 'TIMESTAMPTZ' },
  { name: 'ended_at', type: 'TIMESTAMPTZ' },
  { name: 'duration_sec', type: 'DOUBLE' },
  { name: 'data_bytes', type: 'BIGINT' },
  { name: 'stored_bytes', type: 'BIGINT' },
  { name: 'object_size_bytes', type: 'BIGINT' },
  { name: 'data_read_bytes', type: 'BIGINT' },
  { name: 'transferred_bytes', type: 'BIGINT' },
  { name: 'dedup_ratio', type: 'DOUBLE' },
  { name: 'compress_ratio', type: 'DOUBLE' },
  { name: 'tags', type: 'VARCHAR' },
  { name: 'reason', type: 'VARCHAR' },
];

export const BAREOS_COLUMNS: Column[] = [
  { name: 'job_id', type: 'BIGINT' },
  { name: 'job', type: 'VARCHAR' },
  { name: 'job_name', type: 'VARCHAR' },
  { name: 'type_code', type: 'VARCHAR' },
  { name: 'job_type', type: 'VARCHAR' },
  { name: 'level_code', type: 'VARCHAR' },
  { name: 'level_kind', type: 'VARCHAR' },
  { name: 'level', type: 'VARCHAR' },
  { name: 'client_id', type: 'BIGINT' },
  { name: 'client_name', type: 'VARCHAR' },
  { name: 'server', type: 'VARCHAR' },
  { name: 'service', type: 'VARCHAR' },
  { name: 'unit_code', type: 'VARCHAR' },
  { name: 'rpo_target_hours', type: 'DOUBLE' },
  { name: 'in_service_map', type: 'BOOLEAN' },
  { name: 'job_status', type: 'VARCHAR' },
  { name: 'job_status_long', type: 'VARCHAR' },
  { name: 'status', type: 'VARCHAR' },
  { name: 'sched_at', type: 'TIMESTAMPTZ' },
  { name: 'started_at', type: 'TIMESTAMPTZ' },
  { name: 'ended_at', type: 'TIMESTAMPTZ' },
  { name: 'duration_sec', type: 'DOUBLE' },
  { name: 'job_files', type: 'BIGINT' },
  { name: 'job_bytes', type: 'BIGINT' },
  { name: 'read_bytes', type: 'BIGINT' },
  { name: 'job_errors', type: 'INTEGER' },
  { name: 'job_missing_files', type: 'INTEGER' },
  { name: 'pool_name', type: 'VARCHAR' },
  { name: 'fileset_name', type: 'VARCHAR' },
  { name: 'prior_job_id', type: 'BIGINT' },
  { name: 'comment', type: 'VARCHAR' },
  { name: 'from_histo', type: 'BOOLEAN' },
];

/** Settings common/config.ts may carry in `sources.backup` beyond veeamDir and bareosUrl (see README). */
type BackupSlice = PanoConfig['sources']['backup'] & Partial<Omit<BackupConfigInput, 'veeamDir' | 'bareosUrl'>>;

/**
 * The backup sources for Pano's config. `overrides` replaces any setting (tests, or a caller that reads
 * PANO_VEEAM_TIMEZONE / PANO_BAREOS_TIMEZONE / PANO_BACKUP_SERVICE_MAP / PANO_BACKUP_RPO_HOURS itself).
 * In demo mode without a configured service map, the demo's map beside the Veeam folder is used.
 * A bad setting or service map is a ConfigError here, at start, with every problem listed.
 */
export function backupSources(config: PanoConfig, overrides: Partial<BackupConfigInput> = {}): SourceDefinition<any>[] {
  const b = config.sources.backup as BackupSlice;
  const input: Record<string, unknown> = {
    veeamDir: b.veeamDir,
    bareosUrl: b.bareosUrl,
    veeamTimezone: b.veeamTimezone ?? config.timezone,
    bareosTimezone: b.bareosTimezone ?? config.timezone,
    serviceMapFile: b.serviceMapFile,
    veeamColumnMapFile: b.veeamColumnMapFile,
    rpoTargetHours: b.rpoTargetHours,
    defaultUnitCode: b.defaultUnitCode,
    ...overrides,
  };
  if (input.serviceMapFile === undefined && config.mode === 'demo') {
    const demoMap = path.join(path.dirname(path.resolve(b.veeamDir)), DEMO_SERVICE_MAP_NAME);
    if (fs.existsSync(demoMap)) input.serviceMapFile = demoMap;
  }
  for (const k of Object.keys(input)) if (input[k] === undefined) delete input[k];
  const cfg = parseBackupConfig(input);
  const resolver = new ObjectResolver(cfg.serviceMapFile ? loadServiceMap(cfg.serviceMapFile) : null, {
    unitCode: cfg.defaultUnitCode,
    rpoTargetHours: cfg.rpoTargetHours,
  });
  return [veeamSessionsSource(cfg, resolver), bareosJobsSource(cfg, resolver)];
}

// ─── Veeam ───────────────────────────────────────────────────────────────────────────────────────

/** What one run of the Veeam source remembers: sessions already read (to refuse duplicates) and the file log. */
interface VeeamRun {
  seen: Hash64Set;
  files: VeeamFileReport[];
}

export function veeamSessionsSource(cfg: BackupConfig, resolver: ObjectResolver): SourceDefinition<VeeamRun> {
  let run: VeeamRun = { seen: new Hash64Set(), files: [] };
  return {
    id: VEEAM_SOURCE_ID,
    system: 'backup',
    title: 'Veeam yedekleme oturumları',
    location: `Veeam dışa aktarımları ${cfg.veeamDir}`,
    raw: { schema: 'raw_backup', table: 'veeam_sessions', columns: VEEAM_COLUMNS },
    async open() {
      listVeeamFiles(cfg.veeamDir); // the folder must be there: SourceUnavailableError naming it
      run = { seen: new Hash64Set(), files: [] };
      return run;
    },
    async close(r) {
      r.seen = new Hash64Set(16); // nothing is open between batches; free the run's key set
    },
    extract: (r) =>
      extractVeeamExports(cfg.veeamDir, { columnMap: cfg.veeamColumnMap, onFile: (f) => r.files.push(f) }) as AsyncIterable<Array<Record<string, unknown>>>,
    bulkExtract: (r, ctx) =>
      bulkVeeamExports(ctx.conn, ctx, {
        dir: cfg.veeamDir,
        timezone: cfg.veeamTimezone,
        resolver,
        columnMap: cfg.veeamColumnMap,
        onFile: (f) => r.files.push(f),
      }) as AsyncIterable<Array<Record<string, unknown>>>,
    locator: (rec) => veeamLocator(rec as unknown as VeeamRecord),
    mask: (rec) => redactTcknInRecord(veeamQuarantineRecord(rec as unknown as VeeamRecord)),
    validate: (rec) => validateVeeamRecord(rec as unknown as VeeamRecord, cfg, resolver, run.seen),
    extraTables: ['veeam_files'],
    // The run's file log: every export read, its encoding, shape, culture, rows, and why a file was refused.
    afterLoad: async (ctx) => {
      await ctx.run(`CREATE TABLE raw_backup.veeam_files (file VARCHAR, sha256 VARCHAR, bytes BIGINT, encoding VARCHAR, shape VARCHAR,
        culture VARCHAR, rows_read INTEGER, outcome VARCHAR, reason VARCHAR, _run_id VARCHAR, _extracted_at TIMESTAMPTZ)`);
      for (let i = 0; i < run.files.length; i += 500) {
        const values = run.files
          .slice(i, i + 500)
          .map(
            (f) =>
              `(${[f.file, f.sha256 || null, f.bytes, f.encoding, f.shape, f.culture, f.rows, f.outcome, f.reason ?? null, ctx.runId].map(sqlLiteral).join(', ')}, ${sqlLiteral(ctx.now.toISOString())}::TIMESTAMPTZ)`,
          );
        await ctx.run(`INSERT INTO raw_backup.veeam_files VALUES ${values.join(', ')}`);
      }
    },
    checks: async (ctx) => {
      const out = await commonChecks(ctx, { table: 'raw_backup.veeam_sessions', key: 'session_key', what: 'sessions', when: 'started_at' });
      const files = run.files;
      const refused = files.filter((f) => f.outcome === 'refused');
      const dupes = files.filter((f) => f.outcome === 'duplicate');
      out.push({
        name: 'files_readable',
        severity: 'warn',
        passed: refused.length === 0,
        detail: refused.length
          ? `${refused.length} of ${files.length} files refused: ${refused
              .slice(0, 5)
              .map((f) => f.reason ?? f.file)
              .join(' | ')}${refused.length > 5 ? ' …' : ''}`
          : `${files.length} files read${dupes.length ? `, ${dupes.length} duplicate file${dupes.length > 1 ? 's' : ''} loaded once (${dupes.map((d) => d.file).join(', ')})` : ''}`,
      });
      if (resolver.hasMap) out.push(await unmappedCheck(ctx, 'raw_backup.veeam_sessions'));
      return out;
    },
  };
}

/** A Veeam record → the landed row, or why not (duplicates of a session already read this run included). */
export function validateVeeamRecord(rec: VeeamRecord, cfg: BackupConfig, resolver: ObjectResolver, seen: Hash64Set): Validated {
  const v = readVeeamRecord(rec, cfg, resolver, seen);
  // Reasons quote the values they refuse: no clear TC Kimlik No may reach the quarantine through them (KVKK).
  return v.ok ? v : { ok: false, reason: redactTcknInText(v.reason) };
}

function readVeeamRecord(rec: VeeamRecord, cfg: BackupConfig, resolver: ObjectResolver, seen: Hash64Set): Validated {
  switch (rec.kind) {
    case 'file_error':
      return { ok: false, reason: rec.reason };
    case 'parse_error':
      return { ok: false, reason: rec.reason };
    case 'duplicate_file':
      return {
        ok: false,
        reason: `${rec.file} is byte-for-byte the same file as ${rec.sameAs} (sha256 ${rec.sha256.slice(0, 12)}…): loaded once, from ${rec.sameAs}`,
      };
    case 'row':
      break;
    default:
      return { ok: false, reason: 'not a Veeam export record' };
  }
  const v = validateVeeamRow(rec.ctx, rec.values, cfg.veeamTimezone);
  if (!v.ok) return { ok: false, reason: v.reason };
  const s = v.session;
  const startSec = Math.floor(s.startedAt / 1000);
  const identity = veeamSessionIdentity(s);
  const [h1, h2] = hash64(identity);
  if (!seen.add(h1, h2)) {
    return {
      ok: false,
      reason: `duplicate session: job "${s.jobName}"${s.objectType === 'vm' ? `, VM "${s.objectName}"` : ''}, started ${new Date(startSec * 1000).toISOString()} was already read from an earlier row or file (the first one is kept)`,
    };
  }
  const server = normalizeServerName(s.objectName, 'veeam');
  const obj = resolver.resolve(server);
  return {
    ok: true,
    row: {
      session_key: veeamSessionKey(identity),
      session_id: s.sessionId,
      source_file: rec.file,
      source_line: rec.line,
      export_shape: s.shape,
      export_culture: s.culture,
      file_encoding: rec.ctx.encoding,
      job_name: s.jobName,
      object_name: s.objectName,
      object_type: s.objectType,
      server,
      service: obj.service,
      unit_code: obj.unitCode,
      rpo_target_hours: obj.rpoTargetHours,
      in_service_map: obj.mapped,
      level_raw: s.levelRaw,
      level_kind: s.levelKind,
      level: s.levelKind ? LEVEL_LABELS[s.levelKind] : null,
      job_algorithm: s.jobAlgorithm,
      result: s.resultRaw,
      state: s.stateRaw,
      status: s.status,
      started_at: new Date(s.startedAt),
      ended_at: s.endedAt === null ? null : new Date(s.endedAt),
      duration_sec: s.durationSec,
      data_bytes: s.dataBytes,
      stored_bytes: s.storedBytes,
      object_size_bytes: s.objectSizeBytes,
      data_read_bytes: s.dataReadBytes,
      transferred_bytes: s.transferredBytes,
      dedup_ratio: s.dedupRatio,
      compress_ratio: s.compressRatio,
      tags: s.tags === null ? null : redactTcknInText(s.tags),
      reason: s.reason === null ? null : redactTcknInText(s.reason), // free text: KVKK, no clear TC Kimlik No
    },
  };
}

/**
 * What makes two rows the same session: Veeam's session id (with the VM), or else the job, the object and
 * the start to the second. The fast lane (sources/backup/veeam-bulk.ts) builds the same text in SQL.
 */
export function veeamSessionIdentity(s: { sessionId: string | null; objectName: string; objectType: string; jobName: string; startedAt: number }): string {
  return s.sessionId !== null
    ? `id\u0001${s.sessionId}\u0001${s.objectName}`
    : `${s.objectType}\u0001${s.jobName}\u0001${s.objectName}\u0001${Math.floor(s.startedAt / 1000)}`;
}

/** The landed key of a session: 16 hex digits of the MD5 of its identity (SQL: md5(identity)[1:16]). */
export function veeamSessionKey(identity: string): string {
  return `veeam:${crypto.createHash('md5').update(identity).digest('hex').slice(0, 16)}`;
}

export function veeamLocator(rec: VeeamRecord): string {
  switch (rec.kind) {
    case 'row':
    case 'parse_error':
      return `${rec.file}:line ${rec.line}`;
    default:
      return rec.file;
  }
}

/** What the quarantine keeps of a refused record: the row as header → value, or the file's facts. */
export function veeamQuarantineRecord(rec: VeeamRecord): Record<string, unknown> {
  switch (rec.kind) {
    case 'row':
      return {
        file: rec.file,
        line: rec.line,
        shape: rec.ctx.shape.def.shape,
        culture: rec.ctx.culture,
        values: Object.fromEntries(rec.ctx.header.map((h, i) => [h || `column_${i + 1}`, rec.values[i] ?? null])),
      };
    case 'parse_error':
      return { file: rec.file, line: rec.line, raw: rec.raw };
    case 'file_error':
      return { file: rec.file, header: rec.header ?? null };
    case 'duplicate_file':
      return { file: rec.file, same_as: rec.sameAs, sha256: rec.sha256 };
    default:
      return { record: String(rec) };
  }
}

// ─── Bareos ──────────────────────────────────────────────────────────────────────────────────────

export function bareosJobsSource(cfg: BackupConfig, resolver: ObjectResolver): SourceDefinition<Knex> {
  let seen = new Set<number>(); // JobIds read in this run
  return {
    id: BAREOS_SOURCE_ID,
    system: 'backup',
    title: 'Bareos yedekleme işleri',
    location: `Bareos kataloğu ${describeUrl(cfg.bareosUrl)}`,
    raw: { schema: 'raw_backup', table: 'bareos_jobs', columns: BAREOS_COLUMNS },
    async open() {
      const db = await connectBareos(cfg.bareosUrl);
      seen = new Set();
      return db;
    },
    async close(db) {
      await db.destroy();
    },
    extract: (db) => extractBareosJobs(db) as unknown as AsyncIterable<Array<Record<string, unknown>>>,
    locator: (rec) => `${(rec as unknown as RawBareosJob).from_histo ? 'JobHisto' : 'Job'}.JobId=${String((rec as unknown as RawBareosJob).job_id ?? '?')}`,
    mask: (rec) => redactTcknInRecord(rec),
    validate: (rec) => validateBareosRecord(rec as unknown as RawBareosJob, cfg, resolver, seen),
    checks: async (ctx) => {
      const out = await commonChecks(ctx, {
        table: 'raw_backup.bareos_jobs',
        key: 'job_id',
        what: 'jobs',
        when: 'coalesce(started_at, sched_at)',
        backupOnly: "job_type = 'backup'",
      });
      const [o] = await ctx.query(
        `SELECT count(*) AS n, count(DISTINCT client_id) AS clients, string_agg(DISTINCT CAST(client_id AS VARCHAR), ', ' ORDER BY CAST(client_id AS VARCHAR)) AS ids
         FROM raw_backup.bareos_jobs WHERE server IS NULL`,
      );
      const orphans = Number(o.n);
      out.push({
        name: 'references_resolve',
        severity: 'warn',
        passed: orphans === 0,
        detail: orphans
          ? `${orphans} jobs name a client that is not in the catalog's Client table (ClientId ${String(o.ids ?? '0')}): their server is unknown`
          : 'every job names a client of the catalog',
      });
      if (resolver.hasMap) out.push(await unmappedCheck(ctx, 'raw_backup.bareos_jobs'));
      return out;
    },
  };
}

export function validateBareosRecord(raw: RawBareosJob, cfg: BackupConfig, resolver: ObjectResolver, seen: Set<number>): Validated {
  const v = validateBareosJob(raw, cfg.bareosTimezone);
  if (!v.ok) return { ok: false, reason: redactTcknInText(v.reason) }; // reasons quote values (KVKK)
  const j = v.job;
  if (seen.has(j.jobId)) return { ok: false, reason: `JobId ${j.jobId} appears twice in ${j.fromHisto ? 'JobHisto' : 'Job'} (the first row is kept)` };
  seen.add(j.jobId);
  const server = j.clientName ? normalizeServerName(j.clientName, 'bareos') : null;
  const obj = server ? resolver.resolve(server) : null;
  return {
    ok: true,
    row: {
      job_id: j.jobId,
      job: j.job,
      job_name: j.name,
      type_code: j.typeCode,
      job_type: j.jobType,
      level_code: j.levelCode,
      level_kind: j.levelKind,
      level: j.levelKind ? LEVEL_LABELS[j.levelKind] : null,
      client_id: j.clientId,
      client_name: j.clientName,
      server,
      service: obj?.service ?? null,
      unit_code: obj?.unitCode ?? cfg.defaultUnitCode,
      rpo_target_hours: obj?.rpoTargetHours ?? cfg.rpoTargetHours,
      in_service_map: obj?.mapped ?? false,
      job_status: j.statusCode,
      job_status_long: j.statusLong,
      status: j.status,
      sched_at: j.schedAt === null ? null : new Date(j.schedAt),
      started_at: j.startedAt === null ? null : new Date(j.startedAt),
      ended_at: j.endedAt === null ? null : new Date(j.endedAt),
      duration_sec: j.durationSec,
      job_files: j.jobFiles,
      job_bytes: j.jobBytes,
      read_bytes: j.readBytes,
      job_errors: j.jobErrors,
      job_missing_files: j.jobMissingFiles,
      pool_name: j.poolName,
      fileset_name: j.filesetName,
      prior_job_id: j.priorJobId,
      comment: j.comment === null ? null : redactTcknInText(j.comment), // free text: KVKK, no clear TC Kimlik No
      from_histo: j.fromHisto,
    },
  };
}

function sqlLiteral(v: string | number | null): string {
  if (v === null || v === undefined) return 'NULL';
  if (typeof v === 'number') return String(v);
  return `'${v.replace(/'/g, "''")}'`;
}

// ─── checks ──────────────────────────────────────────────────────────────────────────────────────

const ts = (d: Date) => `TIMESTAMPTZ '${d.toISOString()}'`;
const GOOD = `status IN ('success', 'warning')`;

/** Freshness limit: daily backups, plus a night's slack. */
export const FRESHNESS_HOURS = 36;
/** Row count drop against the previous run that warns. */
export const ROW_DROP_LIMIT = -0.2;
/** Share of refused rows that warns. */
export const REJECTED_LIMIT = 0.02;

async function commonChecks(
  ctx: CheckContext,
  t: { table: string; key: string; what: string; when: string; backupOnly?: string },
): Promise<QualityCheckResult[]> {
  const out: QualityCheckResult[] = [];
  const [k] = await ctx.query(
    `SELECT count(*) AS n, count(${t.key}) AS with_key, count(DISTINCT ${t.key}) AS distinct_keys, max(${t.when}) AS newest FROM ${t.table}`,
  );
  const n = Number(k.n);
  out.push({ name: 'not_empty', severity: 'fail', passed: n > 0, detail: `${n} ${t.what} loaded` });
  out.push({ name: 'keys_not_null', severity: 'fail', passed: Number(k.with_key) === n, detail: `${n - Number(k.with_key)} ${t.what} without ${t.key}` });
  out.push({
    name: 'keys_unique',
    severity: 'fail',
    passed: Number(k.distinct_keys) === Number(k.with_key),
    detail: `${Number(k.with_key) - Number(k.distinct_keys)} duplicate ${t.key} values`,
  });
  const share = ctx.rowsRead ? ctx.rowsRejected / ctx.rowsRead : 0;
  out.push({
    name: 'rejected_share',
    severity: 'warn',
    passed: share <= REJECTED_LIMIT,
    detail: `${ctx.rowsRejected} of ${ctx.rowsRead} records refused (${(share * 100).toFixed(2)} %; limit ${REJECTED_LIMIT * 100} %)`,
  });
  if (ctx.previousRowsLoaded) {
    const change = (ctx.rowsLoaded - ctx.previousRowsLoaded) / ctx.previousRowsLoaded;
    out.push({
      name: 'row_count_change',
      severity: 'warn',
      passed: change > ROW_DROP_LIMIT,
      detail: `${ctx.rowsLoaded} rows against ${ctx.previousRowsLoaded} in the previous run (${(change * 100).toFixed(1)} %; limit ${ROW_DROP_LIMIT * 100} %)`,
    });
  }
  const newest = k.newest ? new Date(String(k.newest)) : null;
  const ageH = newest ? (ctx.now.getTime() - newest.getTime()) / 3_600_000 : Infinity;
  out.push({
    name: 'freshness',
    severity: 'warn',
    passed: ageH <= FRESHNESS_HOURS,
    detail: newest ? `newest session started ${ageH.toFixed(1)} h ago (limit ${FRESHNESS_HOURS} h)` : `no ${t.what} at all`,
  });
  // A job (of a server) that ran in the last 30 days without one good session in the last 7.
  const d7 = new Date(ctx.now.getTime() - 7 * 86_400_000);
  const d30 = new Date(ctx.now.getTime() - 30 * 86_400_000);
  const rows = await ctx.query(`
    SELECT job_name, coalesce(server, '?') AS server, max(CASE WHEN ${GOOD} THEN ${t.when} END) AS last_good
    FROM ${t.table}
    WHERE ${t.when} <= ${ts(ctx.now)} ${t.backupOnly ? `AND ${t.backupOnly}` : ''}
    GROUP BY job_name, coalesce(server, '?')
    HAVING max(${t.when}) >= ${ts(d30)} AND coalesce(max(CASE WHEN ${GOOD} THEN ${t.when} END) >= ${ts(d7)}, false) = false
    ORDER BY job_name, server`);
  out.push({
    name: 'no_success_7d',
    severity: 'warn',
    passed: rows.length === 0,
    detail: rows.length
      ? `${rows.length} job${rows.length > 1 ? 's' : ''} without a good backup in 7 days: ${rows
          .slice(0, 8)
          .map((r) => `${String(r.job_name)} (${String(r.server)}; last good ${r.last_good ? String(r.last_good).slice(0, 10) : 'never'})`)
          .join(', ')}${rows.length > 8 ? ' …' : ''}`
      : 'every job that ran in the last 30 days had a good backup in the last 7 days',
  });
  return out;
}

async function unmappedCheck(ctx: CheckContext, table: string): Promise<QualityCheckResult> {
  const rows = await ctx.query(`SELECT DISTINCT server FROM ${table} WHERE server IS NOT NULL AND NOT in_service_map ORDER BY server`);
  return {
    name: 'servers_mapped',
    severity: 'warn',
    passed: rows.length === 0,
    detail: rows.length
      ? `${rows.length} servers are not in the service map (service from the naming convention, default unit): ${rows
          .slice(0, 10)
          .map((r) => String(r.server))
          .join(', ')}${rows.length > 10 ? ' …' : ''}`
      : 'every server is in the service map',
  };
}
