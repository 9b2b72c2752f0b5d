import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../common/config.js';
import { openAppDb } from '../../common/db/app-db.js';
import { silentLogger } from '../../common/logger.js';
import { etlStatus, generateDemoSources, listQuarantine, runConfiguredEtl, SnapshotStore } from '../../etl/index.js';
import { createPanoEnv, TEST_NOW, type PanoTestEnv } from '../helpers/pano-env.js';

let env: PanoTestEnv | undefined;
afterEach(() => env?.cleanup());

const run = (config = env!.config) => runConfiguredEtl(config, silentLogger, { now: () => TEST_NOW, sources: ['helpdesk'] });

describe('ETL run on the demo GLPI source', () => {
  it('loads every good ticket, quarantines each seeded fault with its reason, and publishes a snapshot', async () => {
    env = await createPanoEnv({ etl: false });
    const demo = (await generateDemoSources(env.config, { seed: 7, scale: 0.1, now: TEST_NOW, systems: ['helpdesk'] })) as any;
    const r = await run();
    const glpi = r.sources[0];
    const faults = demo.helpdesk.faults.noGroup + demo.helpdesk.faults.unknownGroup + demo.helpdesk.faults.solvedBeforeOpened;
    expect(r.failed).toBe(false);
    expect(glpi.status).toBe('ok');
    expect(glpi.rowsRead).toBe(demo.helpdesk.tickets - demo.helpdesk.deleted);
    expect(glpi.rowsRejected).toBe(faults);
    expect(glpi.rowsLoaded).toBe(glpi.rowsRead - faults);
    expect(glpi.dataAsOf).toBe(TEST_NOW.toISOString());

    const q = await listQuarantine(env.config, { source: 'glpi', limit: 1000 });
    expect(q).toHaveLength(faults);
    const reasons = q.map((x: any) => x.reason).join('\n');
    expect(reasons).toMatch(/ticket has no requester group/);
    expect(reasons).toMatch(/requester group "Eski Muhasebe Birimi" is not a known unit/);
    expect(reasons).toMatch(/solvedate .* is before date/);
    for (const row of q) expect(row.locator).toMatch(/^glpi_tickets\.id=\d+$/);

    const store = new SnapshotStore(env.config.warehouse.dir);
    expect(store.current()?.snapshotId).toBe(r.manifest!.snapshotId);
    expect(fs.existsSync(store.pathOf(r.manifest!))).toBe(true);
  });

  it('a rerun loads the same rows again into a new snapshot and keeps the previous one for rollback', async () => {
    env = await createPanoEnv();
    const store = new SnapshotStore(env.config.warehouse.dir);
    const first = store.current()!;
    const again = await run();
    expect(again.manifest!.snapshotId).not.toBe(first.snapshotId);
    expect(again.sources[0].rowsLoaded).toBe(first.sources[0].rowsLoaded);
    expect(again.sources[0].checks.find((c) => c.name === 'row_count_change')?.passed).toBe(true);
    expect(store.list().map((s) => s.snapshotId)).toEqual([again.manifest!.snapshotId, first.snapshotId]);
    store.rollback(first.snapshotId);
    expect(store.current()!.snapshotId).toBe(first.snapshotId);
  });

  it('an incremental run applies only what changed in GLPI, and agrees with a full reload', async () => {
    env = await createPanoEnv();
    const knexLib = (await import('knex')).default;
    const glpi = knexLib({ client: 'better-sqlite3', connection: { filename: env.config.sources.glpi.url.slice('sqlite:'.length) }, useNullAsDefault: true });
    const later = '2026-11-25 13:30:00'; // after TEST_NOW in Istanbul time, so past the watermark
    const [changed] = await glpi('glpi_tickets').where({ is_deleted: 0, status: 2 }).orderBy('id').limit(1).select('id');
    const [removed] = await glpi('glpi_tickets').where({ is_deleted: 0, status: 6 }).orderBy('id').limit(1).select('id');
    await glpi('glpi_tickets').where({ id: changed.id }).update({ status: 4, date_mod: later });
    await glpi('glpi_tickets').where({ id: removed.id }).update({ is_deleted: 1, date_mod: later });
    await glpi.destroy();

    const before = new SnapshotStore(env.config.warehouse.dir).current()!.sources[0];
    const inc = await run();
    const s = inc.sources[0];
    expect(s.mode).toBe('incremental');
    expect(s.rowsRead).toBeLessThan(before.rowsRead / 2);
    expect(s.rowsLoaded).toBe(before.rowsLoaded - 1);

    const query = async (sql: string) => {
      const { DuckDBInstance } = await import('@duckdb/node-api');
      const store = new SnapshotStore(env!.config.warehouse.dir);
      const db = await DuckDBInstance.create(store.pathOf(store.current()!), { access_mode: 'READ_ONLY' });
      const c = await db.connect();
      const rows = (await c.runAndReadAll(sql)).getRowObjectsJson();
      c.closeSync();
      db.closeSync();
      return rows;
    };
    expect(await query(`SELECT status_code FROM raw_glpi.tickets WHERE ticket_id = ${changed.id}`)).toEqual([{ status_code: 4 }]);
    expect(await query(`SELECT count(*)::INT AS n FROM raw_glpi.tickets WHERE ticket_id = ${removed.id}`)).toEqual([{ n: 0 }]);
    const incremental = await query('SELECT ticket_id, status_code, unit_code, resolution_work_hours FROM raw_glpi.tickets ORDER BY ticket_id');

    const full = await runConfiguredEtl(env.config, silentLogger, { now: () => TEST_NOW, full: true, sources: ['helpdesk'] });
    expect(full.sources[0].mode).toBe('full');
    expect(await query('SELECT ticket_id, status_code, unit_code, resolution_work_hours FROM raw_glpi.tickets ORDER BY ticket_id')).toEqual(incremental);
  });

  it('a raw table that gained a column since the serving snapshot: the incremental run reloads in full', async () => {
    env = await createPanoEnv();
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const store = new SnapshotStore(env.config.warehouse.dir);
    // The serving snapshot as an older Pano wrote it: raw_glpi.tickets without the technician column.
    const old = await DuckDBInstance.create(store.pathOf(store.current()!));
    const oc = await old.connect();
    await oc.run('ALTER TABLE raw_glpi.tickets DROP COLUMN technician');
    oc.closeSync();
    old.closeSync();

    const r = await run();
    expect(r.failed).toBe(false);
    expect(r.sources[0].mode).toBe('full');
    const db = await DuckDBInstance.create(store.pathOf(store.current()!), { access_mode: 'READ_ONLY' });
    const c = await db.connect();
    const [row] = (
      await c.runAndReadAll('SELECT count(technician)::INT AS named, count(*)::INT AS n, count(_extracted_at)::INT AS stamped FROM raw_glpi.tickets')
    ).getRowObjectsJson() as any[];
    c.closeSync();
    db.closeSync();
    expect(row.named).toBeGreaterThan(row.n / 2);
    expect(row.stamped).toBe(row.n);
  });

  it('keeps at most PANO_SNAPSHOTS_KEEP snapshots', async () => {
    env = await createPanoEnv({ env: { PANO_SNAPSHOTS_KEEP: '2' } });
    await run();
    await run();
    const files = fs.readdirSync(path.join(env.config.warehouse.dir, 'snapshots')).filter((f) => f.endsWith('.duckdb'));
    expect(files).toHaveLength(2);
  });

  it('GLPI unreachable: the run fails naming the source and host, nothing is published, the run log says so', async () => {
    env = await createPanoEnv();
    const store = new SnapshotStore(env.config.warehouse.dir);
    const before = store.current()!;
    const down = loadConfig({ PANO_MODE: 'demo', PANO_DATA_DIR: env.dir, PANO_LOG_LEVEL: 'silent', PANO_GLPI_URL: 'mysql://pano:secret@127.0.0.1:1/glpi' });
    const r = await run(down);
    expect(r.failed).toBe(true);
    expect(r.manifest).toBeNull();
    expect(r.sources[0].status).toBe('failed');
    expect(r.sources[0].message).toMatch(/GLPI database at 127\.0\.0\.1:1\/glpi is unreachable/);
    expect(r.sources[0].message).not.toMatch(/secret/);
    expect(store.current()!.snapshotId).toBe(before.snapshotId);
    const st = await etlStatus(env.config);
    expect(st.lastRuns[0]).toMatchObject({ source: 'glpi', status: 'failed' });
    expect(st.lastRuns[0].message).toMatch(/unreachable/);
    expect(fs.readdirSync(path.join(env.config.warehouse.dir, 'snapshots')).some((f) => f.includes('.building'))).toBe(false);
  });

  it('a build left behind by a killed run is never served and is cleaned up by the next run', async () => {
    env = await createPanoEnv();
    const store = new SnapshotStore(env.config.warehouse.dir);
    const serving = store.current()!.snapshotId;
    const leftover = store.beginBuild('20261125T080000Z-dead00');
    fs.writeFileSync(leftover, 'half a warehouse');
    // its spill folder too: DuckDB's spill files and a fast-lane UTF-8 copy of an export
    const spill = path.join(env.config.duckdb.tempDir, '20261125T080000Z-dead00', 'pano-stage-x');
    fs.mkdirSync(spill, { recursive: true });
    fs.writeFileSync(path.join(spill, '0.csv'), 'Hat No;Dönem\n');
    expect(store.current()!.snapshotId).toBe(serving);
    expect(store.list().map((s) => s.snapshotId)).not.toContain('20261125T080000Z-dead00');
    await run();
    expect(fs.existsSync(leftover)).toBe(false);
    expect(fs.existsSync(path.dirname(spill))).toBe(false);
  });

  it('one build at a time: a second run while one is building is refused, naming the first; the first publishes', async () => {
    env = await createPanoEnv();
    const store = new SnapshotStore(env.config.warehouse.dir);
    let building!: () => void;
    const started = new Promise<void>((resolve) => (building = resolve));
    const first = runConfiguredEtl(env.config, silentLogger, { now: () => TEST_NOW, sources: ['helpdesk'], onProgress: () => building() });
    await started; // the first run is extracting into its build
    const second = runConfiguredEtl(env.config, silentLogger, { now: () => new Date(TEST_NOW.getTime() + 1000), sources: ['helpdesk'] });
    await expect(second).rejects.toThrow(/^Another ETL run is building a snapshot in .*: run \S+, process \d+ on .*, since .*This run did not start/);
    await expect(second).rejects.toMatchObject({ code: 'etl_busy', retryable: true });
    const r = await first;
    expect(r.failed).toBe(false);
    expect(store.current()!.snapshotId).toBe(r.manifest!.snapshotId);
    expect(fs.existsSync(path.join(store.snapshotsDir, 'build.lock'))).toBe(false); // released
    await run(); // and the next run goes ahead
  });

  it('the build lock of a process that is gone (a killed run) is taken over; one of a live process is respected', async () => {
    env = await createPanoEnv();
    const store = new SnapshotStore(env.config.warehouse.dir);
    const lock = path.join(store.snapshotsDir, 'build.lock');
    const gone = spawnSync(process.execPath, ['-e', '']).pid!; // exited: its pid names no process now
    fs.writeFileSync(lock, JSON.stringify({ pid: gone, host: os.hostname(), runId: '20261125T080000Z-dead00', startedAt: '2026-11-25T08:00:00.000Z' }));
    expect((await run()).failed).toBe(false);
    expect(fs.existsSync(lock)).toBe(false);

    fs.writeFileSync(lock, JSON.stringify({ pid: process.ppid, host: os.hostname(), runId: '20261125T090000Z-live00', startedAt: '2026-11-25T09:00:00.000Z' }));
    await expect(run()).rejects.toThrow(`run 20261125T090000Z-live00, process ${process.ppid} on ${os.hostname()}`);
    await expect(run()).rejects.toThrow(`\`pano etl unlock\` removes ${lock}`);
    expect(fs.existsSync(lock)).toBe(true); // not ours to remove
  });

  it('records every run in the run log with counts', async () => {
    env = await createPanoEnv();
    const db = await openAppDb(env.config.appDbUrl);
    const rows = await db('etl_runs').select();
    await db.destroy();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ source: 'glpi', status: 'succeeded' });
    expect(rows[0].rows_read).toBe(rows[0].rows_loaded + rows[0].rows_rejected);
    expect(JSON.parse(rows[0].checks_json).map((c: any) => c.name)).toEqual(expect.arrayContaining(['keys_unique', 'references_resolve', 'freshness']));
  });

  // GLPI writes wall-clock Istanbul time (PANO_GLPI_TIMEZONE); the marts date it in PANO_TIMEZONE, the business zone.
  it.each([
    ['UTC', '2026-03-31'],
    ['Europe/Istanbul', '2026-04-01'],
  ])('PANO_TIMEZONE=%s dates a ticket opened at 2026-03-31T22:30:00Z on %s in marts.fct_tickets', async (zone, day) => {
    env = await createPanoEnv({ etl: false, env: { PANO_TIMEZONE: zone } });
    await generateDemoSources(env.config, { seed: 7, scale: 0.1, now: TEST_NOW, systems: ['helpdesk'] });
    const knexLib = (await import('knex')).default;
    const glpi = knexLib({ client: 'better-sqlite3', connection: { filename: env.config.sources.glpi.url.slice('sqlite:'.length) }, useNullAsDefault: true });
    const [ticket] = await glpi('glpi_tickets').where({ is_deleted: 0, status: 1 }).orderBy('id').limit(1).select('id');
    await glpi('glpi_tickets')
      .where({ id: ticket.id })
      .update({ date: '2026-04-01 01:30:00', date_creation: '2026-04-01 01:30:00', takeintoaccountdate: null, solvedate: null, closedate: null });
    await glpi.destroy();
    expect((await run()).failed).toBe(false);

    const { DuckDBInstance } = await import('@duckdb/node-api');
    const store = new SnapshotStore(env.config.warehouse.dir);
    const db = await DuckDBInstance.create(store.pathOf(store.current()!), { access_mode: 'READ_ONLY' });
    const c = await db.connect();
    const rows = (
      await c.runAndReadAll(
        `SELECT epoch_ms(opened_at) AS opened_ms, CAST(opened_date AS VARCHAR) AS opened_date FROM marts.fct_tickets WHERE ticket_id = ${ticket.id}`,
      )
    ).getRowObjectsJson();
    c.closeSync();
    db.closeSync();
    expect(rows).toEqual([{ opened_ms: String(Date.parse('2026-03-31T22:30:00Z')), opened_date: day }]);
  });
});
