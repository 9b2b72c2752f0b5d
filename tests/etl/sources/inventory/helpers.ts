import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { openAppDb, type AppDb } from '../../../../common/db/app-db.js';
import { silentLogger } from '../../../../common/logger.js';
import { buildInventoryMarts } from '../../../../etl/marts/inventory.js';
import { runEtl, type EtlRunResult } from '../../../../etl/runner.js';
import type { SourceDefinition } from '../../../../etl/source.js';
import { SnapshotStore } from '../../../../etl/warehouse/snapshots.js';

/**
 * The real runner in a throw-away folder: a SQLite app database (run log, quarantine) and a
 * snapshot store; queries read the serving DuckDB snapshot read-only, as the API does.
 */
export interface EtlHarness {
  dir: string;
  store: SnapshotStore;
  appDb: AppDb;
  run(sources: SourceDefinition<any>[], now: Date, opts?: { full?: boolean; only?: string[] }): Promise<EtlRunResult>;
  /** Rows of a query on the serving snapshot (BIGINT/DATE/TIMESTAMP as JSON-friendly values). */
  query(sql: string): Promise<Array<Record<string, any>>>;
  /** Builds the inventory marts on a copy of the serving snapshot and queries it. */
  marts(present: string[], sql: string[]): Promise<Array<Array<Record<string, any>>>>;
  quarantine(source?: string): Promise<Array<Record<string, any>>>;
  close(): Promise<void>;
}

export async function createEtlHarness(prefix = 'pano-inv-'): Promise<EtlHarness> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const store = new SnapshotStore(path.join(dir, 'warehouse'));
  const appDb = await openAppDb(`sqlite:${path.join(dir, 'app.sqlite')}`);
  const read = async (file: string, sqls: string[], write = false) => {
    const instance = await DuckDBInstance.create(file, write ? {} : { access_mode: 'READ_ONLY' });
    const conn = await instance.connect();
    try {
      await conn.run("SET TimeZone = 'UTC'");
      const out = [];
      for (const sql of sqls) out.push((await conn.runAndReadAll(sql)).getRowObjectsJson() as Array<Record<string, any>>);
      return { conn, out };
    } finally {
      conn.closeSync();
      instance.closeSync();
    }
  };
  return {
    dir,
    store,
    appDb,
    run: (sources, now, opts = {}) => runEtl({ sources, store, appDb, logger: silentLogger, keep: 5, now: () => now, full: opts.full, only: opts.only }),
    async query(sql) {
      const current = store.current();
      if (!current) throw new Error('no snapshot published');
      return (await read(store.pathOf(current), [sql])).out[0];
    },
    async marts(present, sqls) {
      const current = store.current();
      if (!current) throw new Error('no snapshot published');
      const copy = path.join(dir, `marts-${Date.now()}-${Math.random().toString(36).slice(2)}.duckdb`);
      fs.copyFileSync(store.pathOf(current), copy);
      const instance = await DuckDBInstance.create(copy);
      const conn = await instance.connect();
      try {
        await conn.run("SET TimeZone = 'UTC'");
        await buildInventoryMarts(conn, new Set(present));
        const out = [];
        for (const sql of sqls) out.push((await conn.runAndReadAll(sql)).getRowObjectsJson() as Array<Record<string, any>>);
        return out;
      } finally {
        conn.closeSync();
        instance.closeSync();
        fs.rmSync(copy, { force: true });
      }
    },
    async quarantine(source) {
      const q = appDb('quarantine').orderBy('id');
      if (source) q.where({ source });
      return q;
    },
    async close() {
      await appDb.destroy();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
