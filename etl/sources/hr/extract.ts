import path from 'node:path';
import type { Knex } from 'knex';
import { describeUrl } from '../../../common/db/knex-url.js';
import type { HrColumnMap } from './column-map.js';
import type { HrConfig } from './config.js';
import { connectHrDatabase, readHrTable } from './database.js';
import { listExportFiles, readExportFiles, type ExportFile } from './files.js';
import type { HrKind } from './headers.js';
import type { HrRecord } from './records.js';
import { loadHrUnitMap, type HrUnitMap } from './units.js';
import { PersonnelValidator, type PersonStatus } from './rows.js';

/**
 * The HR source's I/O: where the three streams come from (the export folder, or the HR database
 * when PANO_HR_DB_URL is set) and reading them as HrRecord batches. Row rules are in validate.ts.
 */

export interface HrOrigin {
  mode: 'files' | 'database';
  /** The folder, or host:port/database. Never credentials. */
  where: string;
  dir: string;
  knex: Knex | null;
  unitMap: HrUnitMap;
  /** The site's export headers and words mapped onto Pano's (PANO_HR_COLUMN_MAP; export files only). */
  columnMap?: HrColumnMap;
}

/** What one run of one stream saw besides rows, for its quality checks. */
export class HrRunState {
  /** TC Kimlik No → hash, so a person's number is hashed once per run. */
  readonly cache = new Map<string, string>();
  readonly files: ExportFile[] = [];
  readonly duplicateFiles: Array<{ file: string; sameAs: string }> = [];
  readonly truncated: Array<{ file: string; line: number }> = [];
}

export function describeHrOrigin(cfg: HrConfig): string {
  return cfg.dbUrl ? `HR database ${describeUrl(cfg.dbUrl)}` : `HR export folder ${path.resolve(cfg.exportDir)}`;
}

/** Opens the origin: connects to the database (checked), or just notes the folder; reads the unit map file. */
export async function openHrOrigin(cfg: HrConfig): Promise<HrOrigin> {
  const unitMap = loadHrUnitMap(cfg.exportDir);
  if (cfg.dbUrl) {
    const knex = await connectHrDatabase(cfg.dbUrl);
    return { mode: 'database', where: describeUrl(cfg.dbUrl), dir: cfg.exportDir, knex, unitMap };
  }
  return { mode: 'files', where: path.resolve(cfg.exportDir), dir: path.resolve(cfg.exportDir), knex: null, unitMap, columnMap: cfg.columnMap };
}

export async function closeHrOrigin(origin: HrOrigin): Promise<void> {
  await origin.knex?.destroy();
}

/** Streams one HR stream from its origin as HrRecord batches (TC Kimlik Nos already hashed). */
export async function* extractHr(origin: HrOrigin, kind: HrKind, secret: string, state: HrRunState = new HrRunState()): AsyncGenerator<HrRecord[]> {
  if (origin.knex) {
    yield* readHrTable(origin.knex, kind, { secret, where: origin.where, cache: state.cache });
    return;
  }
  const set = await listExportFiles(origin.dir, kind);
  state.files.push(...set.files);
  state.duplicateFiles.push(...set.duplicates);
  yield* readExportFiles(set, kind, {
    secret,
    cache: state.cache,
    onTruncated: (file, line) => state.truncated.push({ file, line }),
    columnMap: origin.columnMap,
  });
}

/**
 * Reads the personnel stream through its validation to learn which persons exist (and which were
 * refused), so trainings and leaves can be checked against it whatever order sources run in.
 */
export async function readPersonStatus(origin: HrOrigin, secret: string, cache?: Map<string, string>): Promise<Map<string, PersonStatus>> {
  const v = new PersonnelValidator(origin.unitMap);
  const state = new HrRunState();
  if (cache) for (const [k, h] of cache) state.cache.set(k, h);
  for await (const batch of extractHr(origin, 'personnel', secret, state)) for (const r of batch) v.validate(r);
  if (cache) for (const [k, h] of state.cache) cache.set(k, h);
  return v.persons;
}
