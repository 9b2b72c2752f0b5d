import fs from 'node:fs';
import path from 'node:path';
import knexLib from 'knex';
import { DuckDBInstance } from '@duckdb/node-api';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openAppDb } from '../../../common/db/app-db.js';
import { silentLogger } from '../../../common/logger.js';
import { configuredSources, runConfiguredEtl, SnapshotStore } from '../../../etl/index.js';
import { runEtl } from '../../../etl/runner.js';
import { PANO_LOCK_CLASS, postgresTypeOf, publishMartsToPostgres, READ_LOCK, schemaSuffix } from '../../../etl/warehouse/postgres.js';
import { isoFromPgTimestamp, PostgresWarehouseReader } from '../../../portal/server/semantic/warehouse/postgres-reader.js';
import { createPanoEnv, TEST_NOW, type PanoTestEnv } from '../../helpers/pano-env.js';
import { createTempPgDatabase, SKIP_POSTGRES, type TempPgDatabase } from '../../helpers/postgres.js';

// PANO_WAREHOUSE_URL: the ETL builds in DuckDB as always and publishes the marts into PostgreSQL by a schema swap.

describe('DuckDB → PostgreSQL type mapping', () => {
  it.each([
    ['VARCHAR', 'text'],
    ['BIGINT', 'bigint'],
    ['INTEGER', 'integer'],
    ['DOUBLE', 'double precision'],
    ['DECIMAL(18,2)', 'numeric(18,2)'],
    ['DECIMAL(38,10)', 'numeric(38,10)'],
    ['BOOLEAN', 'boolean'],
    ['DATE', 'date'],
    ['TIMESTAMP WITH TIME ZONE', 'timestamptz'],
    ['TIMESTAMP', 'timestamp'],
    ['HUGEINT', 'numeric(38,0)'],
  ])('%s → %s', (duck, pgType) => {
    expect(postgresTypeOf(duck)).toBe(pgType);
  });
  it.each(['INTEGER[]', 'STRUCT(a INTEGER)', 'MAP(VARCHAR, INTEGER)', 'BLOB'])('%s is refused with the reason', (duck) => {
    expect(() => postgresTypeOf(duck)).toThrow(/no PostgreSQL mapping/);
  });
});

describe.skipIf(SKIP_POSTGRES)('ETL publishing into PostgreSQL', () => {
  let db: TempPgDatabase;
  let env: PanoTestEnv;
  let admin: pg.Client;
  const q = async <T extends pg.QueryResultRow = any>(sql: string, values: unknown[] = []) => (await admin.query<T>(sql, values)).rows;
  const currentId = async () => (await q<{ snapshot_id: string }>('SELECT snapshot_id FROM pano_meta.snapshots WHERE is_current'))[0]?.snapshot_id;
  const ticketCount = async () => Number((await q('SELECT count(*) AS n FROM marts.fct_tickets'))[0].n);
  const schemas = async () => (await q<{ nspname: string }>(`SELECT nspname FROM pg_namespace WHERE nspname LIKE 'marts%' ORDER BY 1`)).map((r) => r.nspname);
  const glpiFile = () => path.join(env.config.sources.demoDir, 'glpi.sqlite');
  /** Runs SQL on the demo GLPI database (SQLite). */
  const glpiExec = async (sql: string, bindings: unknown[] = []) => {
    const k = knexLib({ client: 'better-sqlite3', connection: { filename: glpiFile() }, useNullAsDefault: true });
    try {
      await k.raw(sql, bindings as any[]);
    } finally {
      await k.destroy();
    }
  };
  /** Marks `n` more live tickets deleted in the demo GLPI, so the next full run publishes different numbers. */
  const deleteTickets = (n: number) =>
    glpiExec(`UPDATE glpi_tickets SET is_deleted = 1 WHERE id IN (SELECT id FROM glpi_tickets WHERE is_deleted = 0 ORDER BY id LIMIT ?)`, [n]);

  beforeAll(async () => {
    db = await createTempPgDatabase();
    env = await createPanoEnv({ systems: ['helpdesk'], env: { PANO_WAREHOUSE_URL: db.url, PANO_SNAPSHOTS_KEEP: '2' } });
    admin = new pg.Client({ connectionString: db.url });
    await admin.connect();
  });
  afterAll(async () => {
    await admin?.end();
    await db?.drop();
    env?.cleanup();
  });

  it('publishes every mart of the DuckDB snapshot, row for row, with mapped types, indexes and the manifest', async () => {
    const store = new SnapshotStore(env.config.warehouse.dir);
    const local = store.current()!;
    expect(await currentId()).toBe(local.snapshotId);
    const [meta] = await q('SELECT manifest, schema_name, tables FROM pano_meta.snapshots WHERE is_current');
    expect(meta.schema_name).toBe('marts');
    expect(meta.manifest).toEqual(local); // the same manifest as current.json, publishedAt included

    const instance = await DuckDBInstance.create(store.pathOf(local), { access_mode: 'READ_ONLY' });
    const duck = await instance.connect();
    try {
      await duck.run("SET TimeZone = 'UTC'");
      const duckTables = (
        (await duck.runAndReadAll(`SELECT table_name FROM duckdb_tables() WHERE schema_name = 'marts' ORDER BY 1`)).getRowObjectsJson() as any[]
      ).map((r) => r.table_name);
      const pgTables = (await q(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'marts' ORDER BY 1`)).map((r) => r.table_name);
      expect(pgTables).toEqual(duckTables);
      expect(duckTables).toContain('fct_tickets');

      for (const table of duckTables) {
        const cols = (await q(
          `SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = 'marts' AND table_name = $1 ORDER BY ordinal_position`,
          [table],
        )) as Array<{ column_name: string; data_type: string }>;
        const duckCols = (
          await duck.runAndReadAll(
            `SELECT column_name, data_type FROM duckdb_columns() WHERE schema_name = 'marts' AND table_name = '${table}' ORDER BY column_index`,
          )
        ).getRowObjectsJson() as any[];
        expect(cols.map((c) => c.column_name)).toEqual(duckCols.map((c) => c.column_name));
        // every value, compared after both sides print it as text (order-independent)
        const duckRows = (
          await duck.runAndReadAll(`SELECT ${duckCols.map((c) => `CAST("${c.column_name}" AS VARCHAR)`).join(', ')} FROM marts."${table}"`)
        ).getRows() as Array<Array<string | null>>;
        const pgRows = (await admin.query({ text: `SELECT ${cols.map((c) => `"${c.column_name}"::text`).join(', ')} FROM marts."${table}"`, rowMode: 'array' }))
          .rows as Array<Array<string | null>>;
        expect(pgRows.length, `marts.${table} rows`).toBe(duckRows.length);
        const canon = (rows: Array<Array<string | null>>) => rows.map((r) => JSON.stringify(r.map((v, i) => canonical(v, cols[i].data_type)))).sort();
        expect(canon(pgRows), `marts.${table} values`).toEqual(canon(duckRows));
      }
    } finally {
      duck.closeSync();
      instance.closeSync();
    }

    const types = Object.fromEntries(
      (await q(`SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = 'marts' AND table_name = 'fct_tickets'`)).map((r) => [
        r.column_name,
        r.data_type,
      ]),
    );
    expect(types).toMatchObject({
      ticket_id: 'bigint',
      title: 'text',
      opened_at: 'timestamp with time zone',
      is_open: 'boolean',
      resolution_work_hours: 'double precision',
    });
    const indexes = (await q(`SELECT indexdef FROM pg_indexes WHERE schemaname = 'marts' AND tablename = 'fct_tickets'`)).map((r) => r.indexdef).join('\n');
    expect(indexes).toMatch(/\(unit_code\)/);
    expect(indexes).toMatch(/\(opened_at\)/);
    const analyzed = await q(`SELECT relname FROM pg_stat_user_tables WHERE schemaname = 'marts' AND last_analyze IS NULL`);
    expect(analyzed).toEqual([]);
  });

  it('copies awkward values exactly: quotes, backslashes, braces, NULL-looking text, extremes, microseconds', async () => {
    const scratch = await createTempPgDatabase();
    const instance = await DuckDBInstance.create(':memory:');
    const duck = await instance.connect();
    try {
      await duck.run("SET TimeZone = 'UTC'");
      await duck.run('CREATE SCHEMA marts');
      await duck.run(
        `CREATE TABLE marts.awkward (id INTEGER, s VARCHAR, d DOUBLE, n DECIMAL(18,2), b BIGINT, ok BOOLEAN, day DATE, at_utc TIMESTAMPTZ, local_at TIMESTAMP, unit_code VARCHAR)`,
      );
      await duck.run(`INSERT INTO marts.awkward VALUES
        (1, 'a "quoted" \\ back\\slash', 0.1, 1234567890123456.78, 9223372036854775807, true, DATE '2026-02-28', TIMESTAMPTZ '2026-11-25 09:00:00.123456+00', TIMESTAMP '2026-11-25 12:00:00.000001', 'FEN_ISLERI'),
        (2, 'NULL', CAST('-0.0' AS DOUBLE), -0.01, -9223372036854775808, false, DATE '1999-12-31', TIMESTAMPTZ '1970-01-01 00:00:00+00', TIMESTAMP '2026-01-01 00:00:00', NULL),
        (3, '{a,b}', 1e300, 0, 0, NULL, NULL, NULL, NULL, 'ZABITA'),
        (4, '', 5e-324, NULL, NULL, true, DATE '2026-11-01', TIMESTAMPTZ '2026-11-01 21:00:00+00', NULL, 'x'),
        (5, NULL, 'NaN'::DOUBLE, 99.90, 42, false, DATE '2026-11-02', TIMESTAMPTZ '2026-11-02 00:00:00+00', NULL, 'Şişli Ğ ı İ ç ö ü'),
        (6, e'two\nlines\ttab , (paren)', 'Infinity'::DOUBLE, 1.5, 1, true, DATE '2026-11-03', TIMESTAMPTZ '2026-11-03 00:00:00+00', NULL, 'y')`);
      const manifest = { snapshotId: 'T1', runId: 'T1', file: 'T1.duckdb', publishedAt: TEST_NOW.toISOString(), sources: [] };
      const r = await publishMartsToPostgres(duck, { url: scratch.url, manifest, keep: 2, logger: silentLogger });
      expect(r.tables).toEqual([{ table: 'awkward', rows: 6 }]);
      const c = new pg.Client({ connectionString: scratch.url });
      await c.connect();
      try {
        const got = (
          await c.query({
            text: `SELECT id::text, s, d::text, n::text, b::text, ok::text, day::text, (at_utc AT TIME ZONE 'UTC')::text, local_at::text, unit_code FROM marts.awkward ORDER BY id`,
            rowMode: 'array',
          })
        ).rows;
        expect(got).toEqual([
          [
            '1',
            'a "quoted" \\ back\\slash',
            '0.1',
            '1234567890123456.78',
            '9223372036854775807',
            'true',
            '2026-02-28',
            '2026-11-25 09:00:00.123456',
            '2026-11-25 12:00:00.000001',
            'FEN_ISLERI',
          ],
          ['2', 'NULL', '-0', '-0.01', '-9223372036854775808', 'false', '1999-12-31', '1970-01-01 00:00:00', '2026-01-01 00:00:00', null],
          ['3', '{a,b}', '1e+300', '0.00', '0', null, null, null, null, 'ZABITA'],
          ['4', '', '5e-324', null, null, 'true', '2026-11-01', '2026-11-01 21:00:00', null, 'x'],
          ['5', null, 'NaN', '99.90', '42', 'false', '2026-11-02', '2026-11-02 00:00:00', null, 'Şişli Ğ ı İ ç ö ü'],
          ['6', 'two\nlines\ttab , (paren)', 'Infinity', '1.50', '1', 'true', '2026-11-03', '2026-11-03 00:00:00', null, 'y'],
        ]);
      } finally {
        await c.end();
      }
      // a type PostgreSQL cannot take fails before anything is created, naming the column
      await duck.run('CREATE TABLE marts.listy (unit_code VARCHAR, tags VARCHAR[])');
      await expect(
        publishMartsToPostgres(duck, { url: scratch.url, manifest: { ...manifest, snapshotId: 'T2' }, keep: 2, logger: silentLogger }),
      ).rejects.toThrow(/marts\.listy\.tags: DuckDB type VARCHAR\[\] has no PostgreSQL mapping/);
      const c2 = new pg.Client({ connectionString: scratch.url });
      await c2.connect();
      expect((await c2.query(`SELECT snapshot_id FROM pano_meta.snapshots WHERE is_current`)).rows).toEqual([{ snapshot_id: 'T1' }]);
      expect((await c2.query(`SELECT nspname FROM pg_namespace WHERE nspname LIKE 'marts%'`)).rows).toEqual([{ nspname: 'marts' }]);
      await c2.end();
    } finally {
      duck.closeSync();
      instance.closeSync();
      await scratch.drop();
    }
  });

  it('a second run swaps atomically: a reader transaction held open across the publish sees the old marts whole, then the new', async () => {
    const before = await currentId();
    const oldCount = await ticketCount();
    await deleteTickets(40);

    // A reader following the protocol: read-only transaction, shared read lock, then its queries.
    const reader = new pg.Client({ connectionString: db.url });
    await reader.connect();
    await reader.query('BEGIN READ ONLY');
    await reader.query('SELECT pg_advisory_xact_lock_shared($1, $2)', [PANO_LOCK_CLASS, READ_LOCK]);
    const count = async (c: pg.Client) => Number((await c.query('SELECT count(*) AS n FROM marts.fct_tickets')).rows[0].n);
    expect(await count(reader)).toBe(oldCount);

    const run = runConfiguredEtl(env.config, silentLogger, { now: () => TEST_NOW, sources: ['helpdesk'], full: true });
    // the publisher copies into its build schema, then waits for this transaction at the swap
    const deadline = Date.now() + 30_000;
    let waiting = false;
    while (!waiting && Date.now() < deadline) {
      const w = await q(`SELECT 1 FROM pg_stat_activity WHERE application_name = 'pano-etl-publish' AND wait_event_type = 'Lock' AND wait_event = 'advisory'`);
      waiting = w.length > 0;
      if (!waiting) await new Promise((r) => setTimeout(r, 50));
    }
    expect(waiting).toBe(true);
    expect((await schemas()).some((s) => s.startsWith('marts_build_'))).toBe(true);
    // the waiting swap does not stall other readers for long: it gives up the queue every 2 s and tries again
    const other = new PostgresWarehouseReader(db.url, silentLogger);
    const t0 = Date.now();
    const { rows, manifest: served } = await other.query('SELECT count(*) AS n FROM marts.fct_tickets');
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect([rows[0].n, served.snapshotId]).toEqual([String(oldCount), before]);
    await other.close();
    // still inside the held transaction: the same, complete old marts
    expect(await count(reader)).toBe(oldCount);
    expect(Number((await reader.query('SELECT count(*) AS n FROM marts.fct_tickets t JOIN marts.dim_units u USING (unit_code)')).rows[0].n)).toBe(oldCount);
    expect((await reader.query('SELECT snapshot_id FROM pano_meta.snapshots WHERE is_current')).rows[0].snapshot_id).toBe(before);
    await reader.query('COMMIT');

    const r = await run;
    expect(r.failed).toBe(false);
    expect(r.manifest).not.toBeNull();
    expect(await currentId()).toBe(r.manifest!.snapshotId);
    expect(await count(reader)).toBe(oldCount - 40);
    await reader.end();
    const kept = await schemas();
    expect(kept).toEqual(['marts', `marts_old_${schemaSuffix(before)}`]);
  });

  it('queries running all through a publish never fail and each answer matches the snapshot it is stamped with', async () => {
    const pgReader = new PostgresWarehouseReader(db.url, silentLogger, { checkEveryMs: 0 });
    await pgReader.start();
    const expected = new Map<string, number>([[(await currentId())!, await ticketCount()]]);
    await deleteTickets(25);
    let stop = false;
    const failures: string[] = [];
    const seen: Array<{ id: string; tickets: number; joined: number }> = [];
    const client = async () => {
      while (!stop) {
        try {
          const { rows, manifest } = await pgReader.query(
            `SELECT (SELECT count(*) FROM marts.fct_tickets) AS tickets,
                    (SELECT count(*) FROM marts.fct_tickets t JOIN marts.dim_units u ON u.unit_code = t.unit_code) AS joined,
                    pg_sleep(0.02) IS NULL AS slept`,
          );
          seen.push({ id: manifest.snapshotId, tickets: Number(rows[0].tickets), joined: Number(rows[0].joined) });
        } catch (e) {
          failures.push(String(e));
        }
      }
    };
    const clients = [client(), client(), client()];
    const r = await runConfiguredEtl(env.config, silentLogger, { now: () => TEST_NOW, sources: ['helpdesk'], full: true });
    expect(r.manifest).not.toBeNull();
    expected.set(r.manifest!.snapshotId, await ticketCount());
    const until = Date.now() + 5000;
    while (!seen.some((s) => s.id === r.manifest!.snapshotId) && Date.now() < until) await new Promise((res) => setTimeout(res, 20));
    stop = true;
    await Promise.all(clients);
    await pgReader.close();

    expect(failures).toEqual([]);
    expect(seen.length).toBeGreaterThan(10);
    expect(new Set(seen.map((s) => s.id))).toEqual(new Set(expected.keys()));
    for (const s of seen) {
      expect(s.tickets).toBe(expected.get(s.id));
      expect(s.joined).toBe(s.tickets);
    }
    expect([...expected.values()][0] - [...expected.values()][1]).toBe(25);
    // keep = 2: the serving marts and one earlier snapshot for rollback
    const kept = await schemas();
    expect(kept.length).toBe(2);
    expect((await q('SELECT count(*) AS n FROM pano_meta.snapshots'))[0].n).toBe('2');
  });

  it('a mart value PostgreSQL refuses fails the run before the swap: old marts serve, the build schema is gone, nothing is published locally', async () => {
    const store = new SnapshotStore(env.config.warehouse.dir);
    const beforeLocal = store.current()!.snapshotId;
    const before = await currentId();
    const count = await ticketCount();
    // a NUL character: DuckDB keeps it, PostgreSQL text cannot hold it
    await glpiExec(`UPDATE glpi_tickets SET name = 'Yazıcı' || char(0) || 'arızası' WHERE id = (SELECT max(id) FROM glpi_tickets WHERE is_deleted = 0)`);
    try {
      const r = await runConfiguredEtl(env.config, silentLogger, { now: () => TEST_NOW, sources: ['helpdesk'], full: true });
      expect(r.failed).toBe(true);
      expect(r.manifest).toBeNull();
      expect(r.publishError).toMatch(/PostgreSQL publish failed at copy.*marts\.fct_tickets\.title.*NUL character/);
      expect(await currentId()).toBe(before);
      expect(await ticketCount()).toBe(count);
      expect((await schemas()).filter((s) => s.startsWith('marts_build_'))).toEqual([]);
      expect(store.current()!.snapshotId).toBe(beforeLocal);
      expect(fs.readdirSync(store.snapshotsDir).filter((f) => f.includes('.building'))).toEqual([]);
    } finally {
      await glpiExec(`UPDATE glpi_tickets SET name = 'Yazıcı arızası' WHERE instr(name, char(0)) > 0`);
    }
  });

  it('PostgreSQL unreachable: the run fails naming the step, nothing is published locally either', async () => {
    const store = new SnapshotStore(env.config.warehouse.dir);
    const beforeLocal = store.current()!.snapshotId;
    const u = new URL(db.url);
    u.pathname = '/pano_no_such_database';
    const r = await runConfiguredEtl({ ...env.config, warehouse: { ...env.config.warehouse, postgresUrl: u.toString() } }, silentLogger, {
      now: () => TEST_NOW,
      sources: ['helpdesk'],
    });
    expect(r.failed).toBe(true);
    expect(r.manifest).toBeNull();
    expect(r.publishError).toMatch(/PostgreSQL publish failed at connect\): .*pano_no_such_database/);
    expect(store.current()!.snapshotId).toBe(beforeLocal);
  });

  it('a reader holding the marts longer than the swap may wait fails the publish, and the old marts keep serving', async () => {
    const before = await currentId();
    const count = await ticketCount();
    await deleteTickets(5);
    const holder = new pg.Client({ connectionString: db.url });
    await holder.connect();
    await holder.query('BEGIN READ ONLY');
    await holder.query('SELECT pg_advisory_xact_lock_shared($1, $2)', [PANO_LOCK_CLASS, READ_LOCK]);
    const appDb = await openAppDb(env.config.appDbUrl);
    try {
      const r = await runEtl({
        sources: configuredSources(env.config),
        only: ['helpdesk'],
        full: true,
        store: new SnapshotStore(env.config.warehouse.dir),
        appDb,
        logger: silentLogger,
        keep: env.config.warehouse.keep,
        now: () => TEST_NOW,
        postgres: { url: db.url, swapLockTimeoutMs: 3000 },
      });
      expect(r.failed).toBe(true);
      expect(r.publishError).toMatch(/failed at swap\): readers held the marts for more than 3000 ms/);
    } finally {
      await holder.query('COMMIT');
      await holder.end();
      await appDb.destroy();
    }
    expect(await currentId()).toBe(before);
    expect(await ticketCount()).toBe(count);
    expect((await schemas()).filter((s) => s.startsWith('marts_build_'))).toEqual([]);
  });

  it('the publishing connection killed inside the swap transaction: the swap rolls back, old marts serve', async () => {
    const before = await currentId();
    const count = await ticketCount();
    const kept = await schemas();
    await deleteTickets(10);
    const expectedAfter = Number((await q(`SELECT count(*) AS n FROM marts.fct_tickets`))[0].n) - 15; // these 10 and the 5 above
    let during: { id: string | undefined; count: number } | undefined;
    const appDb = await openAppDb(env.config.appDbUrl);
    try {
      const store = new SnapshotStore(env.config.warehouse.dir);
      const r = await runEtl({
        sources: configuredSources(env.config),
        only: ['helpdesk'],
        full: true,
        store,
        appDb,
        logger: silentLogger,
        keep: env.config.warehouse.keep,
        now: () => TEST_NOW,
        postgres: {
          url: db.url,
          beforeCommit: async ({ pid }) => {
            // the renames are done but not committed: what other sessions see must not move
            during = { id: await currentId(), count: await ticketCount() };
            await admin.query('SELECT pg_terminate_backend($1)', [pid]);
          },
        },
      });
      expect(r.failed).toBe(true);
      expect(r.publishError).toMatch(/PostgreSQL publish failed at swap/);
      expect(during).toEqual({ id: before, count });
    } finally {
      await appDb.destroy();
    }
    expect(await currentId()).toBe(before);
    expect(await ticketCount()).toBe(count);
    expect(await schemas()).toEqual(kept);

    // and the next run publishes normally
    const ok = await runConfiguredEtl(env.config, silentLogger, { now: () => TEST_NOW, sources: ['helpdesk'], full: true });
    expect(ok.failed).toBe(false);
    expect(await currentId()).toBe(ok.manifest!.snapshotId);
    expect(await ticketCount()).toBe(expectedAfter);
  });
});

/** One value as text, the same for both engines: numbers by value, timestamps as instants, booleans spelled out. */
function canonical(v: string | null, pgType: string): string | null {
  if (v === null) return null;
  if (/^(bigint|integer|smallint|numeric|double precision|real)$/.test(pgType)) return String(Number(v));
  if (pgType === 'boolean') return v === 't' || v === 'true' ? 'true' : 'false';
  if (pgType.startsWith('timestamp')) return isoFromPgTimestamp(v);
  return v;
}
