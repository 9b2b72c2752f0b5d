import fs from 'node:fs';
import { ConfigError, errorMessage } from '../../../common/errors.js';
import { FIELD_SPECS, type HrColumnMap, type HrField, type HrKind } from './headers.js';

export type { HrColumnMap } from './headers.js';
import { compactKey, foldText } from './text.js';
import { cellText, parseEmploymentType, parseGender, parseLeaveType, type Cell } from './values.js';
import { readColumnMapJson } from '../../column-map.js';

/**
 * A site's own HR export headers, mapped onto Pano's fields (PANO_HR_COLUMN_MAP): a JSON file
 * `{"columns": {"<header as the export writes it>": "<Pano field>"}, "values": {"<Pano field>": {"<word>":
 * "<Pano word>"}}}`, one file for the three streams. A header at the top of "columns" applies to every stream
 * that has its field; headers of one stream only go into its section, `"columns": {"leave": {"İlk Gün":
 * "start_date"}}` (sections "personnel", "training", "leave"). Headers are compared like the built-in header
 * names (folded: case, Turkish letters, spaces and punctuation ignored); a mapped header wins over the built-in
 * names. Value maps translate employment types, genders and leave types before the row rules read them
 * (compared folded as well).
 */

/** Every field of the three streams (the targets a column map may use). */
export const HR_FIELDS: readonly HrField[] = [
  ...new Set(Object.values(FIELD_SPECS).flatMap((specs) => specs.filter((s) => s.field !== 'discard').map((s) => s.field as HrField))),
];

/** The fields whose words a value map may translate. */
export const HR_VALUE_FIELDS = ['employment_type', 'gender', 'leave_type'] as const satisfies readonly HrField[];
type HrValueField = (typeof HR_VALUE_FIELDS)[number];

export const HR_KINDS: readonly HrKind[] = ['personnel', 'training', 'leave'];

/** A cell in Pano's words when the map's value map names it; otherwise the cell itself. */
export function mapHrValue(map: HrColumnMap | undefined, field: HrField, v: Cell): Cell {
  const m = map?.values.get(field);
  if (!m || v === null || v instanceof Date) return v;
  return m.byWord.get(foldText(cellText(v))) ?? v;
}

/** Reads and checks a column map file; a ConfigError names the file and every bad entry. */
export function loadHrColumnMap(file: string, envName = 'PANO_HR_COLUMN_MAP'): HrColumnMap {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError(`${envName} ${file}: cannot be read (${errorMessage(e)})`, e);
  }
  return parseHrColumnMap(text, file, envName);
}

/** Checks a column map's JSON text (see loadHrColumnMap). */
export function parseHrColumnMap(text: string, file: string, envName = 'PANO_HR_COLUMN_MAP'): HrColumnMap {
  const { json, problems, fail } = readColumnMapJson(text, file, envName, 'HR');

  const columns: Array<{ header: string; field: HrField; kind?: HrKind }> = [];
  const byHeader = { personnel: new Map<string, HrField>(), training: new Map<string, HrField>(), leave: new Map<string, HrField>() };
  if (json.columns !== undefined) {
    if (!isObject(json.columns)) problems.push('"columns" must be an object {"<header as the export writes it>": "<Pano field>"}');
    else {
      const kindFields = (k: HrKind) => new Set(FIELD_SPECS[k].map((s) => s.field));
      const targetOf = { personnel: new Map<HrField, string>(), training: new Map<HrField, string>(), leave: new Map<HrField, string>() };
      const add = (header: string, target: unknown, at: string, only?: HrKind) => {
        const key = compactKey(header);
        if (key === '') problems.push(`${at}: the header is empty`);
        const field = typeof target === 'string' ? HR_FIELDS.find((f) => f === target.trim()) : undefined;
        if (!field) {
          problems.push(
            `${at}: ${JSON.stringify(target)} is not a Pano HR field (one of ${HR_FIELDS.join(', ')}; or a section "personnel", "training", "leave")`,
          );
          return;
        }
        const kinds = (only ? [only] : HR_KINDS).filter((k) => kindFields(k).has(field));
        if (only && kinds.length === 0) {
          problems.push(`${at}: the ${only} stream has no field ${field} (its fields: ${[...kindFields(only)].filter((f) => f !== 'discard').join(', ')})`);
          return;
        }
        for (const k of kinds) {
          if (byHeader[k].has(key)) {
            problems.push(
              `${at}: the header is listed twice for the ${k} stream (headers are compared folded: case, Turkish letters, spaces and punctuation ignored)`,
            );
            return;
          }
          const other = targetOf[k].get(field);
          if (other !== undefined) {
            problems.push(
              `${at}: duplicate target ${field} in the ${k} stream, "${other}" already maps to it (put headers of one stream under its section: "columns": {"${k}": {…}})`,
            );
            return;
          }
        }
        for (const k of kinds) {
          targetOf[k].set(field, header);
          byHeader[k].set(key, field);
        }
        columns.push(only ? { header: header.trim(), field, kind: only } : { header: header.trim(), field });
      };
      for (const [header, target] of Object.entries(json.columns)) {
        if (!isObject(target)) {
          add(header, target, `columns."${header}"`);
          continue;
        }
        const kind = HR_KINDS.find((k) => k === header.trim());
        if (!kind) {
          problems.push(`columns."${header}": an object is a stream's section, "personnel", "training" or "leave"`);
          continue;
        }
        for (const [h, t] of Object.entries(target)) add(h, t, `columns.${kind}."${h}"`, kind);
      }
    }
  }

  const values = new Map<HrField, { entries: Array<{ from: string; to: string }>; byWord: Map<string, string> }>();
  if (json.values !== undefined) {
    if (!isObject(json.values)) problems.push('"values" must be an object {"<Pano field>": {"<word as the export writes it>": "<Pano word>"}}');
    else {
      for (const [target, words] of Object.entries(json.values)) {
        const at = `values."${target}"`;
        const field = HR_VALUE_FIELDS.find((f) => f === target.trim());
        if (!field) {
          problems.push(
            `${at}: ${HR_FIELDS.includes(target.trim() as HrField) ? 'takes no value map' : 'is not a Pano HR field'} (value maps are for ${HR_VALUE_FIELDS.join(', ')})`,
          );
          continue;
        }
        if (!isObject(words)) {
          problems.push(`${at}: must be an object {"<word as the export writes it>": "<Pano word>"}`);
          continue;
        }
        const entries: Array<{ from: string; to: string }> = [];
        const byWord = new Map<string, string>();
        for (const [from, to] of Object.entries(words)) {
          const bad = typeof to !== 'string' || to.trim() === '' ? 'must be a non-empty text' : wordProblem(field, to);
          if (bad) {
            problems.push(`${at}."${from}": ${JSON.stringify(to)} ${bad}`);
            continue;
          }
          if (byWord.has(foldText(from))) {
            problems.push(`${at}."${from}": the word is listed twice (words are compared folded)`);
            continue;
          }
          entries.push({ from, to: (to as string).trim() });
          byWord.set(foldText(from), (to as string).trim());
        }
        values.set(field, { entries, byWord });
      }
    }
  }
  if (problems.length) fail(problems);
  return { file, columns, byHeader, values };
}

/** Why a target word is not one Pano reads for the field, or null. */
function wordProblem(field: HrValueField, word: string): string | null {
  if (field === 'employment_type')
    return parseEmploymentType(word).ok ? null : 'is not an employment type Pano reads (memur, kadrolu_isci, gecici_isci, sozlesmeli, hizmet_alimi)';
  if (field === 'gender') {
    const g = parseGender(word);
    return g.ok && g.value !== null ? null : 'is not a gender Pano reads (K, E)';
  }
  return parseLeaveType(word).ok ? null : 'is not a leave type';
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
