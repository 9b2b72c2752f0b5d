import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { openAppDb } from '../../common/db/app-db.js';
import { silentLogger } from '../../common/logger.js';
import type { SourceDefinition } from '../../etl/source.js';
import { runEtl } from '../../etl/runner.js';
import { SnapshotStore } from '../../etl/warehouse/snapshots.js';

export interface LaneResult {
  /** The source's raw table, ordered by `orderBy`, without the run's own columns. */
  rows: Array<Record<string, unknown>>;
  /** Its quarantine entries (locator, reason, record), ordered by locator. */
  quarantine: Array<{ locator: string; reason: string; record_json: string }>;
  /** Rows the fast lane inserted in bulk (0 on the row-by-row lane). */
  bulkRows: number;
  status: { status: string; message?: string; rowsRead: number; rowsLoaded: number; rowsRejected: number; checks: unknown };
}

/**
 * Runs one source through the real runner, once as given (its fast lane, `bulkExtract`) and once with the
 * fast lane removed (extract + validate only), each into a fresh warehouse and app database, and returns
 * what each landed: a fast lane must land exactly what the row-by-row path lands.
 */
export async function runBothLanes(
  makeSources: () => SourceDefinition<any>[],
  sourceId: string,
  orderBy: string,
  now = new Date('2025-12-10T09:00:00Z'),
): Promise<{ fast: LaneResult; slow: LaneResult }> {
  const run = async (lane: 'fast' | 'slow'): Promise<LaneResult> => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), `pano-lane-${lane}-`));
    const appDb = await openAppDb(`sqlite:${path.join(tmp, 'app.sqlite')}`);
    try {
      let bulkRows = 0;
      const sources = makeSources().map((s): SourceDefinition<any> => {
        if (s.id !== sourceId) return s;
        if (lane === 'slow') return { ...s, bulkExtract: undefined };
        const bulk = s.bulkExtract?.bind(s);
        // counts what the fast lane itself inserted, to show it was used
        return bulk
          ? {
              ...s,
              bulkExtract: (h, ctx) =>
                bulk(h, {
                  ...ctx,
                  insert: async (sql) => {
                    const n = await ctx.insert(sql);
                    bulkRows += n;
                    return n;
                  },
                }),
            }
          : s;
      });
      const source = sources.find((s) => s.id === sourceId)!;
      if (lane === 'fast' && !source.bulkExtract) throw new Error(`${sourceId} has no fast lane`);
      const store = new SnapshotStore(path.join(tmp, 'warehouse'));
      const r = await runEtl({
        sources,
        only: [sourceId],
        store,
        appDb,
        logger: silentLogger,
        keep: 2,
        now: () => now,
        duckdb: { tempDir: path.join(tmp, 'spill') },
      });
      const status = r.sources.find((s) => s.source === sourceId)!;
      let rows: Array<Record<string, unknown>> = [];
      if (r.manifest) {
        const db = await DuckDBInstance.create(store.pathOf(r.manifest), { access_mode: 'READ_ONLY' });
        const conn = await db.connect();
        await conn.run("SET TimeZone = 'UTC'");
        try {
          rows = (
            await conn.runAndReadAll(`SELECT * EXCLUDE (_run_id, _extracted_at) FROM ${source.raw.schema}.${source.raw.table} ORDER BY ${orderBy}`)
          ).getRowObjectsJson() as Array<Record<string, unknown>>;
        } finally {
          conn.closeSync();
          db.closeSync();
        }
      }
      const quarantine = await appDb('quarantine').where({ source: sourceId }).select('locator', 'reason', 'record_json').orderBy(['locator', 'reason']);
      return {
        rows,
        quarantine,
        bulkRows,
        status: {
          status: status.status,
          message: status.message,
          rowsRead: status.rowsRead,
          rowsLoaded: status.rowsLoaded,
          rowsRejected: status.rowsRejected,
          checks: status.checks,
        },
      };
    } finally {
      await appDb.destroy();
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  };
  return { fast: await run('fast'), slow: await run('slow') };
}
