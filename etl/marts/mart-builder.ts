import type { DuckDBConnection } from '@duckdb/node-api';

/**
 * One domain's marts: built from the raw tables of this snapshot when the sources it `requires` are in it
 * (`present` holds the ids of the sources the snapshot has, see etl/source-ids.ts).
 */
export interface MartBuilder {
  name: string;
  requires: string[];
  build(conn: DuckDBConnection, present: ReadonlySet<string>): Promise<void>;
}
