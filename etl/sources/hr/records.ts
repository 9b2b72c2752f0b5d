import { MASK, pseudonymizeTckn } from '../../../common/kvkk.js';
import { mapHrValue, type HrColumnMap } from './column-map.js';
import type { HrField, HrKind } from './headers.js';
import { maskDigitRuns } from './text.js';
import type { Cell } from './values.js';

/**
 * One extracted HR row, as every reader (CSV, XLSX, database) hands it to the runner. The TC Kimlik No
 * is already replaced here, at extraction: `person_key` is its keyed hash (or null with
 * `tckn_error` when the number is missing or wrong). Names and unknown columns are not carried, and
 * every digit run of nine or more in the other values is masked, so nothing downstream — validation,
 * the quarantine, the logs, an error message — can ever see a clear TC Kimlik No.
 */
export interface HrRecord {
  kind: HrKind;
  /** Where the row is: 'personel.csv:line 17', 'egitim.xlsx:row 4', 'personel.id=17'. */
  ref: string;
  person_key: string | null;
  /** Why the TC Kimlik No was refused (never contains the number). */
  tckn_error: string | null;
  /** Cells by field name (tckn excluded), as the export writes them. */
  values: Partial<Record<Exclude<HrField, 'tckn'>, Cell>>;
  /** The cells a column map's value map translated, in Pano's words (PANO_HR_COLUMN_MAP); the rules read these. */
  mapped?: Partial<Record<Exclude<HrField, 'tckn'>, Cell>>;
  /** A structural problem of the row, e.g. a wrong number of fields. */
  problem: string | null;
}

/** Masks a cell that is not the TC Kimlik No: long digit runs in text, and numbers of nine digits or more. */
export function maskCell(v: Cell): Cell {
  if (typeof v === 'string') return maskDigitRuns(v);
  if (typeof v === 'number' && Math.abs(v) >= 1e8) return MASK;
  return v;
}

/**
 * Builds an HrRecord from cells by field: hashes the TC Kimlik No and masks the rest. With a column map,
 * the words its value maps name are also given in Pano's words (`mapped`, PANO_HR_COLUMN_MAP).
 */
export function makeHrRecord(
  kind: HrKind,
  ref: string,
  cells: Partial<Record<HrField, Cell>>,
  secret: string,
  opts: { problem?: string | null; cache?: Map<string, string>; columnMap?: HrColumnMap } = {},
): HrRecord {
  const t = pseudonymizeTckn(cells.tckn ?? null, secret, opts.cache);
  const values: HrRecord['values'] = {};
  let mapped: HrRecord['mapped'];
  for (const [k, v] of Object.entries(cells)) {
    if (k === 'tckn') continue;
    (values as Record<string, Cell>)[k] = maskCell(v ?? null);
    if (opts.columnMap?.values.size) {
      const word = mapHrValue(opts.columnMap, k as HrField, v ?? null);
      if (word !== (v ?? null)) (mapped ??= {})[k as Exclude<HrField, 'tckn'>] = maskCell(word);
    }
  }
  const rec: HrRecord = {
    kind,
    ref: maskDigitRuns(ref),
    person_key: t.ok ? t.hash : null,
    tckn_error: t.ok ? null : t.reason,
    values,
    problem: opts.problem ? maskDigitRuns(opts.problem) : null,
  };
  if (mapped) rec.mapped = mapped;
  return rec;
}

/**
 * The record as it may be stored in the quarantine: flat, the TC Kimlik No shown only as masked, every
 * long digit run masked again (defence in depth), the person key kept so HR can find the person.
 */
export function maskHrRecord(r: Record<string, unknown>): Record<string, unknown> {
  const rec = r as unknown as HrRecord;
  const out: Record<string, unknown> = {
    ref: maskDigitRuns(String(rec.ref ?? '')),
    person_key: rec.person_key ?? null,
    tc_kimlik_no: rec.person_key ? MASK : `${MASK} (${rec.tckn_error ?? 'invalid'})`,
  };
  for (const [k, v] of Object.entries(rec.values ?? {})) {
    out[k] =
      v instanceof Date ? v.toISOString().slice(0, 10) : typeof v === 'string' ? maskDigitRuns(v) : typeof v === 'number' && Math.abs(v) >= 1e8 ? MASK : v;
  }
  if (rec.problem) out.problem = maskDigitRuns(rec.problem);
  return out;
}
