import type { DuckDBConnection } from '@duckdb/node-api';
import type { Column } from './warehouse/duckdb.js';

/** What one validated row becomes: the landed record for the raw table, or a reason it was refused. */
export type Validated = { ok: true; row: Record<string, unknown> } | { ok: false; reason: string };

/**
 * What a source's value parser returns (a date, an amount, a coded word…): the value, or why it was
 * refused. The reason is written to go into a row's refusal as it is (values in it masked where the
 * source holds personal data).
 */
export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

export interface QualityCheckResult {
  name: string;
  severity: 'warn' | 'fail';
  passed: boolean;
  detail: string;
}

/**
 * A source as the shared runner sees it. A source supplies only I/O (`open`, `extract`) and its row rules
 * (`validate`); the runner does validation bookkeeping, quarantine, staging, loading, checks and the run log.
 */
export interface SourceDefinition<Conn = unknown> {
  /** Stable id of this stream, e.g. 'glpi', 'telecom_invoices'; `pano etl run --source` takes it or its system. */
  id: string;
  /** The source system it belongs to ('helpdesk', 'inventory', 'telecom', 'backup', 'hr'). */
  system: string;
  title: string;
  /** Where landed rows go: raw_<source>.<table>; `_run_id` and `_extracted_at` are added by the runner. */
  raw: { schema: string; table: string; columns: Column[] };
  /** Human description of where the data comes from, for errors and the run log (never credentials). */
  location: string;
  open(): Promise<Conn>;
  close(conn: Conn): Promise<void>;
  /** Pages of source records; `since` is set on an incremental run (records changed at or after it). */
  extract(conn: Conn, opts?: { since?: Date }): AsyncIterable<Array<Record<string, unknown>>>;
  /**
   * Incremental loading: the raw table is carried over from the serving snapshot and only records changed
   * since its newest `watermark` are extracted; each replaces the row with the same `key`. `removedSince`
   * names records deleted in the source since then. `pano etl run --full` (and a first run) reload everything.
   */
  incremental?: {
    key: string;
    watermark: string;
    removedSince?(conn: Conn, since: Date): Promise<Array<string | number>>;
  };
  /**
   * Optional fast lane, used instead of `extract` when present: loads the records it can convert in SQL
   * straight into the raw table (`ctx.insert`, e.g. from a file staged by DuckDB's CSV reader) and yields
   * only the others, which go through `validate` and the quarantine like any extracted record. It must
   * land exactly what `extract` + `validate` would (tests compare the two).
   */
  bulkExtract?(conn: Conn, ctx: BulkContext): AsyncIterable<Array<Record<string, unknown>>>;
  validate(record: Record<string, unknown>): Validated;
  /** A stable row locator for the quarantine (e.g. "glpi_tickets.id=1234"). */
  locator(record: Record<string, unknown>): string;
  /** The record as it may be stored in the quarantine (personal data masked). */
  mask(record: Record<string, unknown>): Record<string, unknown>;
  /**
   * Runs after the rows are loaded, inside the new warehouse, e.g. to keep a history table
   * (raw_inventory.asset_daily) that grows run by run. The serving snapshot is attached as `prev`
   * when there is one (`hasPrevious`), so history can be copied forward.
   */
  afterLoad?(ctx: AfterLoadContext): Promise<void>;
  /** Further raw tables this source owns (besides `raw`), carried over with it when it fails or is not run. */
  extraTables?: string[];
  /** Checks on the loaded raw table; run inside the new warehouse. */
  checks?(ctx: CheckContext): Promise<QualityCheckResult[]>;
}

export interface BulkContext {
  /** The new warehouse, inside the source's transaction (for staging tables; drop them when done). */
  conn: DuckDBConnection;
  /**
   * Inserts the rows of a SELECT whose columns are named as the raw table's (any subset, by name) and
   * counts them as read and loaded; the runner adds `_run_id` and `_extracted_at`. Returns the row count.
   */
  insert(select: string): Promise<number>;
  /** Writes out the rows appended so far (from yielded records), so SQL on the raw table sees them. */
  flush(): void;
  /** A folder for temporary files of this run (removed with it), or undefined for the OS temp folder. */
  tempDir?: string;
  /** Says why a file is read row by row instead (logged at debug level with the source and run). */
  rowByRow(file: string, why: string): void;
}

export interface AfterLoadContext {
  /** Runs SQL in the new warehouse (DuckDB). */
  run(sql: string): Promise<void>;
  query(sql: string): Promise<Array<Record<string, unknown>>>;
  hasPrevious: boolean;
  runId: string;
  now: Date;
}

export interface CheckContext {
  query(sql: string): Promise<Array<Record<string, unknown>>>;
  rowsRead: number;
  rowsLoaded: number;
  rowsRejected: number;
  previousRowsLoaded: number | null;
  now: Date;
}

/** How a site's column map (PANO_*_COLUMN_MAP) met one file: the entries its header used, those it did not, the value maps. */
export interface ColumnMapUse {
  file: string;
  columns: Array<{ header: string; field: string }>;
  unused: string[];
  values: Array<{ field: string; from: string; to: string }>;
}

/** What `pano etl check-file` learns of one file as a run would read it, whichever source reads it. */
export interface FileReadCheck {
  encoding: string | null;
  delimiter: string | null;
  /** The column map applied; null without one. */
  mapping: ColumnMapUse | null;
  /** Data lines read, those a run would land, those it would quarantine. */
  rows: number;
  valid: number;
  rejected: number;
  /** The first refused lines, with the reason a run would quarantine them with. */
  rejects: Array<{ locator: string; reason: string }>;
  /** Why the whole file would be refused, or null. */
  refused: string | null;
}

/** A file check before anything is read: nothing known, nothing counted. */
export function unreadFile(): FileReadCheck {
  return { encoding: null, delimiter: null, mapping: null, rows: 0, valid: 0, rejected: 0, rejects: [], refused: null };
}
