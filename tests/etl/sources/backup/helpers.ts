import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { openAppDb, type AppDb } from '../../../../common/db/app-db.js';
import { silentLogger } from '../../../../common/logger.js';
import { runEtl, type EtlRunResult } from '../../../../etl/runner.js';
import type { SourceDefinition } from '../../../../etl/source.js';
import { SnapshotStore } from '../../../../etl/warehouse/snapshots.js';

/** A throw-away ETL home: snapshot store and app database, and the real runner over the given sources. */
export interface EtlHome {
  dir: string;
  store: SnapshotStore;
  appDb: AppDb;
  run(sources: SourceDefinition<any>[], now: Date): Promise<EtlRunResult>;
  /** Rows of a query against the serving snapshot, opened read-only. */
  query(sql: string): Promise<Array<Record<string, any>>>;
  quarantine(source?: string): Promise<Array<{ source: string; locator: string; reason: string; record: any; run_id: string }>>;
  close(): Promise<void>;
}

export async function createEtlHome(prefix = 'pano-backup-etl-'): Promise<EtlHome> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const store = new SnapshotStore(path.join(dir, 'warehouse'));
  const appDb = await openAppDb(`sqlite:${path.join(dir, 'app.sqlite')}`);
  return {
    dir,
    store,
    appDb,
    run: (sources, now) => runEtl({ sources, store, appDb, logger: silentLogger, keep: 3, now: () => now }),
    async query(sql) {
      const current = store.current();
      if (!current) throw new Error('no snapshot published');
      const instance = await DuckDBInstance.create(store.pathOf(current), { access_mode: 'READ_ONLY' });
      const conn = await instance.connect();
      try {
        await conn.run("SET TimeZone = 'UTC'");
        return (await conn.runAndReadAll(sql)).getRowObjectsJson() as Array<Record<string, any>>;
      } finally {
        conn.closeSync();
        instance.closeSync();
      }
    },
    async quarantine(source) {
      let q = appDb('quarantine').orderBy('id');
      if (source) q = q.where({ source });
      return (await q).map((r: any) => ({ source: r.source, locator: r.locator, reason: r.reason, record: JSON.parse(r.record_json), run_id: r.run_id }));
    },
    async close() {
      await appDb.destroy();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
