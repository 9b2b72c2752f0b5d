import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import type { PanoConfig } from '../../common/config.js';
import { openAppDb, type AppDb } from '../../common/db/app-db.js';
import type { Logger } from '../../common/logger.js';
import { seedDemoUsers } from '../../common/users.js';
import { SnapshotDirectory } from '../../common/warehouse/index.js';
import { buildApp } from './app.js';
import { createCompiler, CubeQueryService, PostgresWarehouseReader, WarehouseReader, type Warehouse } from './semantic/index.js';

const here = path.dirname(fileURLToPath(import.meta.url));
export const MODEL_DIR = path.resolve(here, '../../model');

export interface RunningServer {
  url: string;
  app: FastifyInstance;
  appDb: AppDb;
  reader: Warehouse;
  queries: CubeQueryService;
  close(): Promise<void>;
}

/**
 * The warehouse the configuration names, for reading: the DuckDB snapshots in the data folder, or, with
 * PANO_WAREHOUSE_URL, the marts the ETL publishes into PostgreSQL (queried with Cube's PostgreSQL dialect).
 */
export function openWarehouse(config: PanoConfig, logger: Logger): Warehouse {
  return config.warehouse.postgresUrl
    ? new PostgresWarehouseReader(config.warehouse.postgresUrl, logger)
    : new WarehouseReader(new SnapshotDirectory(config.warehouse.dir), logger);
}

export type { Warehouse } from './semantic/index.js';
export { CubeQueryService } from './semantic/index.js';

/**
 * Starts Pano's API and portal on the configured host and port (port 0 picks a free one).
 * The model is compiled at start, so a broken model fails here, not on the first query.
 */
export async function startServer(config: PanoConfig, logger: Logger, opts: { port?: number; appDb?: AppDb } = {}): Promise<RunningServer> {
  const appDb = opts.appDb ?? (await openAppDb(config.appDbUrl));
  if (config.mode === 'demo') await seedDemoUsers(appDb, config.scheduler.directorEmail);
  const reader = openWarehouse(config, logger);
  await reader.start();
  const compiler = createCompiler(MODEL_DIR, { dbType: reader.dbType });
  await compiler.getCompilers();
  const queries = new CubeQueryService(compiler, reader, logger, {
    timezone: config.timezone,
    limits: { maxRows: config.api.maxRows },
    cacheBytes: config.api.cacheBytes,
    cacheEntryBytes: config.api.cacheEntryBytes,
  });
  const app = await buildApp({
    appDb,
    reader,
    queries,
    logger,
    auth: config.auth,
    hosts: { mode: config.mode, publicUrl: config.server.publicUrl, allowed: config.server.allowedHosts },
  });
  await app.listen({ host: config.server.host, port: opts.port ?? config.server.port });
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : config.server.port;
  const url = `http://${config.server.host === '0.0.0.0' ? '127.0.0.1' : config.server.host}:${port}`;
  logger.info({ url, snapshot: reader.manifest()?.snapshotId ?? null }, 'server.started');
  return {
    url,
    app,
    appDb,
    reader,
    queries,
    async close() {
      await app.close();
      await reader.close();
      compiler.dispose?.();
      if (!opts.appDb) await appDb.destroy();
    },
  };
}
