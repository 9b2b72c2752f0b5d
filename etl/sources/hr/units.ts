import fs from 'node:fs';
import path from 'node:path';
import { UNITS, type Unit } from '../../../common/units.js';
import { errorMessage } from '../../../common/errors.js';
import { HrExportError } from './errors.js';
import { foldText, show } from './text.js';
import type { Parsed } from '../../source.js';
import { cellText, isBlank, type Cell } from './values.js';

/**
 * Which müdürlük a person works in. HR software writes the unit as a name in any case
 * ('FEN İŞLERİ MÜDÜRLÜĞÜ'), often without 'Müdürlüğü', sometimes ASCII-folded ('Fen Isleri'),
 * sometimes as Pano's code ('FEN_ISLERI'), sometimes with a sub-unit ('Temizlik İşleri Müdürlüğü /
 * Çöp Toplama Şefliği'). Names are folded for comparison only; the result is always a code of
 * common/units.ts. Names that are not a unit's go into the optional map file birim-eslestirme.json.
 */

/** Optional file in the export folder: {"<name as HR writes it>": "<UNIT_CODE>"}. */
export const UNIT_MAP_FILE = 'birim-eslestirme.json';

export type HrUnitMap = ReadonlyMap<string, string>;

const SUFFIX = /\s+(mudurlugu|mudurluk|baskanligi|mud)$/;

function unitIndex(units: readonly Unit[]): Map<string, string> {
  const idx = new Map<string, string>();
  const add = (key: string, code: string) => {
    if (!key) return;
    const had = idx.get(key);
    if (had && had !== code) throw new Error(`units "${had}" and "${code}" fold to the same name "${key}"`);
    idx.set(key, code);
  };
  for (const u of units) {
    add(foldText(u.code), u.code);
    const name = foldText(u.name);
    add(name, u.code);
    add(name.replace(SUFFIX, ''), u.code);
  }
  return idx;
}

const defaultIndex = unitIndex(UNITS);

/**
 * Reads `<dir>/birim-eslestirme.json` when it exists (no file → empty map). Unknown unit codes and
 * bad JSON stop the run with an HrExportError naming the file and every bad entry.
 */
export function loadHrUnitMap(dir: string | undefined, units: readonly Unit[] = UNITS): HrUnitMap {
  if (!dir) return new Map();
  const file = path.join(dir, UNIT_MAP_FILE);
  if (!fs.existsSync(file)) return new Map();
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8').replace(/^\uFEFF/, ''));
  } catch (e) {
    throw new HrExportError(UNIT_MAP_FILE, `${UNIT_MAP_FILE}: not valid JSON (${errorMessage(e)})`, e);
  }
  if (!json || typeof json !== 'object' || Array.isArray(json)) {
    throw new HrExportError(UNIT_MAP_FILE, `${UNIT_MAP_FILE}: must be a JSON object {"<unit name as HR writes it>": "<UNIT_CODE>"}`);
  }
  const codes = new Set(units.map((u) => u.code));
  const problems: string[] = [];
  const map = new Map<string, string>();
  for (const [name, code] of Object.entries(json as Record<string, unknown>)) {
    if (typeof code !== 'string' || !codes.has(code)) problems.push(`"${name}": unknown unit code ${JSON.stringify(code)}`);
    else map.set(foldText(name), code);
  }
  if (problems.length) throw new HrExportError(UNIT_MAP_FILE, `${UNIT_MAP_FILE}: ${problems.join('; ')} (codes are listed in common/units.ts)`);
  return map;
}

function lookup(key: string, map: HrUnitMap, idx: Map<string, string>): string | undefined {
  return map.get(key) ?? idx.get(key) ?? idx.get(key.replace(SUFFIX, ''));
}

/**
 * The unit code of a Birim/Müdürlük value: the map file first, then a unit's code, name, or name
 * without 'Müdürlüğü'; for 'A / B', 'A > B', 'A - B' the first part that is a unit.
 */
export function resolveHrUnit(v: Cell | undefined, map: HrUnitMap = new Map(), units?: readonly Unit[]): Parsed<string> {
  if (isBlank(v)) return { ok: false, reason: 'Birim is empty' };
  const idx = units ? unitIndex(units) : defaultIndex;
  const text = cellText(v);
  const whole = lookup(foldText(text), map, idx);
  if (whole) return { ok: true, value: whole };
  for (const part of text.split(/\s*(?:\/|>|\||\s-\s)\s*/)) {
    const code = part ? lookup(foldText(part), map, idx) : undefined;
    if (code) return { ok: true, value: code };
  }
  return { ok: false, reason: `Birim ${show(text)} is not a known müdürlük (use a unit name or code of common/units.ts, or map it in ${UNIT_MAP_FILE})` };
}
