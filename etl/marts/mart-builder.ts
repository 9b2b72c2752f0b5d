import type { DuckDBConnection } from '@duckdb/node-api';
import { isTimeZoneName } from '../../common/definitions/timezone.js';

/** What a run tells every mart builder: its configuration's part the marts need. */
export interface MartContext {
  /**
   * The business time zone (PANO_TIMEZONE, an IANA name checked by common/config.ts): the zone the marts' calendar
   * dates are taken in (a ticket's opened_date, a session's session_date, a snapshot's as-of day).
   */
  timezone: string;
}

/**
 * One domain's marts: built from the raw tables of this snapshot when the sources it `requires` are in it
 * (`present` holds the ids of the sources the snapshot has, see etl/source-ids.ts).
 */
export interface MartBuilder {
  name: string;
  requires: string[];
  build(conn: DuckDBConnection, present: ReadonlySet<string>, ctx: MartContext): Promise<void>;
}

/** A time zone name as a SQL string literal, refusing anything but a zone name (the marts interpolate it). */
export function timeZoneSql(zone: string): string {
  if (!isTimeZoneName(zone)) throw new RangeError(`Not an IANA time zone: ${JSON.stringify(zone)}`);
  return `'${zone}'`;
}
