import pg from 'pg';

/**
 * The PostgreSQL warehouse's protocol between its writer (etl/warehouse/postgres.ts: the publish and schema swap)
 * and its readers (the API's PostgresWarehouseReader): advisory lock keys, the notification channel, the session
 * settings. Readers take READ_LOCK shared in each query's transaction; the swap takes it exclusively, so a reader
 * sees the old marts or the new ones, never some of each.
 *
 * Advisory lock keys are pg_advisory_lock(classid, objid); the class is "PANO" in ASCII.
 */
export const PANO_LOCK_CLASS = 0x50414e4f;
/** Shared by each reader transaction, exclusive for the swap. */
export const READ_LOCK = 1;
/** Held for a whole publish: one publisher at a time per database. */
export const PUBLISH_LOCK = 2;
/** NOTIFY channel carrying the new snapshot id after a swap. */
export const SNAPSHOT_CHANNEL = 'pano_warehouse_snapshot';

/** A pg client with the session in UTC (timestamps without zone are read and written as UTC, like DuckDB's). */
export async function connect(url: string, applicationName: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url, application_name: applicationName, options: '-c TimeZone=UTC', connectionTimeoutMillis: 10_000 });
  client.on('error', () => undefined); // a killed connection surfaces as the failing query's error
  await client.connect();
  return client;
}
