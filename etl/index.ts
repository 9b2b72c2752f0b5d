import fs from 'node:fs';
import path from 'node:path';
import type { PanoConfig } from '../common/config.js';
import { ConfigError } from '../common/errors.js';
import { openAppDb } from '../common/db/app-db.js';
import type { Logger } from '../common/logger.js';
import { createGlpiDemoSource } from './demo/glpi-demo.js';
import { glpiTicketsSource } from './sources/helpdesk/pipeline.js';
import { hrSources } from './sources/hr/pipeline.js';
import { inventorySources } from './sources/inventory/pipeline.js';
import { backupSources } from './sources/backup/pipeline.js';
import { telecomSources } from './sources/telecom/pipeline.js';
import { generateTelecomDemo } from './demo/telecom-demo.js';
import { generateBackupDemo } from './demo/backup-demo.js';
import { generateInventoryDemo } from './demo/inventory-demo.js';
import { generateHrDemo } from './demo/hr-demo.js';
import { runEtl, stateOfRunLog, type EtlProgress, type EtlRunResult, type SourceState } from './runner.js';
import type { SourceDefinition } from './source.js';
import { SnapshotStore, type BuildLockHolder, type BuildLockState, type SnapshotManifest } from './warehouse/snapshots.js';

/** The public entry of etl/: the only warehouse writer. */
export { SnapshotStore, type BuildLockHolder, type SnapshotManifest } from './warehouse/snapshots.js';
export type { EtlProgress, EtlRunResult, SourceState } from './runner.js';
export { SOURCE_STATE_WORDS, describeChecks } from './runner.js';
export { checkSourceFile, renderFileCheck, CHECK_FILE_SOURCES } from './check-file.js';

/** GLPI's generator makes ≈ 6 000 tickets a year at its own scale 1; Pano's demo scale 1 is ≈ 13 300 a year. */
const GLPI_TICKETS_PER_SCALE = 2.2;

/** The sources Pano is configured to read: the registry, one line per source folder (etl/README.md). */
export function configuredSources(config: PanoConfig): SourceDefinition<any>[] {
  return [
    glpiTicketsSource({
      url: config.sources.glpi.url,
      timezone: config.sources.glpi.timezone,
      unitMapFile: config.sources.glpi.unitMapFile,
      businessTimezone: config.timezone,
    }),
    ...inventorySources(config),
    ...telecomSources(config),
    ...backupSources(config),
    ...hrSources(config),
  ];
}

/** `pano etl run`: one run over the configured (or the named) sources; publishes a new snapshot. */
export async function runConfiguredEtl(
  config: PanoConfig,
  logger: Logger,
  opts: { sources?: string[]; full?: boolean; onProgress?: (p: EtlProgress) => void; now?: () => Date } = {},
): Promise<EtlRunResult> {
  const appDb = await openAppDb(config.appDbUrl);
  try {
    const sources = configuredSources(config);
    const known = [...new Set(sources.flatMap((s) => [s.system, s.id]))];
    const unknown = (opts.sources ?? []).filter((s) => !known.includes(s));
    if (unknown.length) throw new ConfigError(`Unknown source ${unknown.map((u) => `"${u}"`).join(', ')}: use one of ${known.join(', ')}`);
    return await runEtl({
      sources,
      only: opts.sources,
      full: opts.full,
      store: new SnapshotStore(config.warehouse.dir),
      appDb,
      logger,
      keep: config.warehouse.keep,
      now: opts.now,
      onProgress: opts.onProgress,
      duckdb: config.duckdb,
      postgres: config.warehouse.postgresUrl ? { url: config.warehouse.postgresUrl } : undefined,
      timezone: config.timezone,
    });
  } finally {
    await appDb.destroy();
  }
}

/** The demo's source systems, by domain (`generateDemoSources({ systems })`; `pano etl run --source` takes them too). */
export const SYSTEMS = ['helpdesk', 'inventory', 'telecom', 'backup', 'hr'] as const;
export type SystemId = (typeof SYSTEMS)[number];

/**
 * `pano demo`: the demo source systems under <data>/sources (GLPI as SQLite, GLPI's own table names).
 * Scale 1 is the normal demo (≈ 40 000 tickets over 3 years); about 25 is the benchmark's "large" (≈ 1 M tickets).
 */
export async function generateDemoSources(
  config: PanoConfig,
  opts: { seed?: number; scale?: number; now: Date; years?: number; systems?: readonly string[] },
): Promise<{ dir: string } & Record<string, unknown>> {
  const seed = opts.seed ?? 42;
  const scale = opts.scale ?? 1;
  const want = (s: SystemId) => !opts.systems || opts.systems.includes(s);
  const out: { dir: string } & Record<string, unknown> = { dir: config.sources.demoDir };
  // GLPI first: the inventory demo adds its asset tables to the same GLPI database.
  if (want('helpdesk')) {
    const file = path.join(config.sources.demoDir, 'glpi.sqlite');
    out.helpdesk = await createGlpiDemoSource(file, {
      seed,
      scale: GLPI_TICKETS_PER_SCALE * scale,
      now: opts.now,
      years: opts.years ?? 3,
      timezone: config.sources.glpi.timezone,
    });
  }
  if (want('inventory')) {
    if (!want('helpdesk') && !fs.existsSync(path.join(config.sources.demoDir, 'glpi.sqlite'))) {
      throw new ConfigError('The inventory demo adds its tables to the demo GLPI database: generate the helpdesk demo too');
    }
    out.inventory = await generateInventoryDemo(config, { seed, now: opts.now, scale });
  }
  if (want('telecom')) out.telecom = await generateTelecomDemo(config, { seed, now: opts.now, scale });
  if (want('backup')) out.backup = await generateBackupDemo(config, { seed, now: opts.now, scale });
  if (want('hr')) out.hr = await generateHrDemo(config, { seed, now: opts.now, scale });
  return out;
}

/**
 * `pano etl status`: the serving snapshot, the kept ones, and the last run of each source — each with its state
 * in the words `pano etl run` uses (stateOfRunLog) and its checks.
 */
export async function etlStatus(config: PanoConfig): Promise<{
  serving: SnapshotManifest | null;
  snapshots: SnapshotManifest[];
  lastRuns: Array<Record<string, any> & { state: SourceState; checks: Array<{ name: string; passed: boolean }> }>;
}> {
  const store = new SnapshotStore(config.warehouse.dir);
  const appDb = await openAppDb(config.appDbUrl);
  try {
    const latest = appDb('etl_runs').select('source').max({ id: 'id' }).groupBy('source');
    const rows = await appDb('etl_runs')
      .whereIn('id', appDb.from(latest.as('l')).select('id'))
      .orderBy('source');
    const lastRuns = rows.map((r: Record<string, any>) => ({ ...r, ...stateOfRunLog(r as { status: string; checks_json?: string | null }) }));
    return { serving: store.current(), snapshots: store.list(), lastRuns };
  } finally {
    await appDb.destroy();
  }
}

/**
 * `pano etl unlock`: removes the warehouse's build lock when the run that held it is gone (or its PID now names
 * another process). Throws EtlBusyError naming the holder while it lives on this host, and for a holder on another
 * host unless `force` (Pano cannot see another host's processes).
 */
export function unlockBuild(
  config: PanoConfig,
  opts: { force?: boolean } = {},
): { file: string; removed: boolean; holder: BuildLockHolder | null; state: BuildLockState | 'unreadable' | 'none' } {
  return new SnapshotStore(config.warehouse.dir).unlockBuild(opts);
}

/** `pano etl quarantine`: refused rows with their reasons (latest run of each source unless a run is named). */
export async function listQuarantine(config: PanoConfig, opts: { source?: string; runId?: string; limit?: number } = {}) {
  const appDb = await openAppDb(config.appDbUrl);
  try {
    let q = appDb('quarantine')
      .orderBy('id', 'desc')
      .limit(opts.limit ?? 50);
    if (opts.source) q = q.where({ source: opts.source });
    if (opts.runId) q = q.where({ run_id: opts.runId });
    else {
      const lastRuns = appDb('etl_runs').select('source').max({ run_id: 'run_id' }).groupBy('source');
      q = q.whereIn(['source', 'run_id'], appDb.from(lastRuns.as('l')).select('source', 'run_id'));
    }
    return await q;
  } finally {
    await appDb.destroy();
  }
}
