import fs from 'node:fs';
import { ConfigError, errorMessage } from '../../../common/errors.js';
import { veeamStatus } from './codes.js';
import { SESSION_ID_COLUMNS, VEEAM_SHAPES, VeeamValueMap, type VeeamColumnMap } from './veeam-shapes.js';
import { readColumnMapJson } from '../../column-map.js';

export { VeeamValueMap, type VeeamColumnMap } from './veeam-shapes.js';

/**
 * A site's own Veeam export headers, mapped onto the column names Pano reads (PANO_VEEAM_COLUMN_MAP): a JSON
 * file `{"columns": {"<header as the export writes it>": "<Pano field>"}, "values": {"<Pano field>": {"<word>":
 * "<Pano word>"}}}`. Headers are matched like Pano's own (trimmed, any case); a mapped header wins over an
 * unmapped one that names the same field. Value maps translate status and level words (`"Başarılı"` →
 * `"Success"`) before the row rules read them; values are matched trimmed, exactly, else in Turkish lower case.
 */

/** Every column name a Veeam shape reads (the targets a column map may use), in the shapes' order. */
export const VEEAM_FIELDS: readonly string[] = [...new Set([...VEEAM_SHAPES.flatMap((s) => [...s.required, ...s.optional]), SESSION_ID_COLUMNS[0]])];

/** The fields whose words a value map may translate: status, state and level words. */
export const VEEAM_VALUE_FIELDS = ['Result', 'Status', 'State', 'RestorePointType', 'JobAlgorithm', 'BackupType'] as const;

/** How headers are compared (the same as veeam-shapes.ts). */
export const normalizeVeeamHeader = (h: string): string =>
  h
    .replace(/^\uFEFF/, '')
    .trim()
    .toLowerCase();

const CANONICAL = new Map(VEEAM_FIELDS.map((f) => [f.toLowerCase(), f]));

/** Reads and checks a column map file; a ConfigError names the file and every bad entry. */
export function loadVeeamColumnMap(file: string, envName = 'PANO_VEEAM_COLUMN_MAP'): VeeamColumnMap {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError(`${envName} ${file}: cannot be read (${errorMessage(e)})`, e);
  }
  return parseVeeamColumnMap(text, file, envName);
}

/** Checks a column map's JSON text (see loadVeeamColumnMap). */
export function parseVeeamColumnMap(text: string, file: string, envName = 'PANO_VEEAM_COLUMN_MAP'): VeeamColumnMap {
  const { json, problems, fail } = readColumnMapJson(text, file, envName, 'Veeam');

  const columns: Array<{ header: string; field: string }> = [];
  const byHeader = new Map<string, string>();
  if (json.columns !== undefined) {
    if (!isObject(json.columns)) problems.push('"columns" must be an object {"<header as the export writes it>": "<Pano field>"}');
    else {
      const targetOf = new Map<string, string>();
      for (const [header, target] of Object.entries(json.columns)) {
        const at = `columns."${header}"`;
        const key = normalizeVeeamHeader(header);
        if (key === '') problems.push(`${at}: the header is empty`);
        const field = typeof target === 'string' ? CANONICAL.get(target.trim().toLowerCase()) : undefined;
        if (!field) {
          problems.push(`${at}: ${JSON.stringify(target)} is not a Pano Veeam field (one of ${VEEAM_FIELDS.join(', ')})`);
          continue;
        }
        if (byHeader.has(key)) {
          problems.push(`${at}: the header is listed twice (headers are compared trimmed, in any case)`);
          continue;
        }
        const other = targetOf.get(field);
        if (other !== undefined) {
          problems.push(`${at}: duplicate target ${field}, "${other}" already maps to it`);
          continue;
        }
        targetOf.set(field, header);
        byHeader.set(key, field);
        columns.push({ header: header.trim(), field });
      }
    }
  }

  const values = new Map<string, VeeamValueMap>();
  if (json.values !== undefined) {
    if (!isObject(json.values)) problems.push('"values" must be an object {"<Pano field>": {"<word as the export writes it>": "<Pano word>"}}');
    else {
      for (const [target, words] of Object.entries(json.values)) {
        const field = VEEAM_VALUE_FIELDS.find((f) => f.toLowerCase() === target.trim().toLowerCase());
        const at = `values."${target}"`;
        if (!field) {
          problems.push(
            `${at}: ${CANONICAL.has(target.trim().toLowerCase()) ? 'takes no value map' : 'is not a Pano Veeam field'} (value maps are for ${VEEAM_VALUE_FIELDS.join(', ')})`,
          );
          continue;
        }
        if (values.has(field)) {
          problems.push(`${at}: ${field} is listed twice`);
          continue;
        }
        if (!isObject(words)) {
          problems.push(`${at}: must be an object {"<word as the export writes it>": "<Pano word>"}`);
          continue;
        }
        const entries: Array<{ from: string; to: string }> = [];
        for (const [from, to] of Object.entries(words)) {
          const bad = typeof to !== 'string' || to.trim() === '' ? 'must be a non-empty text' : wordProblem(field, to);
          if (bad) problems.push(`${at}."${from}": ${JSON.stringify(to)} ${bad}`);
          else entries.push({ from, to: (to as string).trim() });
        }
        values.set(field, new VeeamValueMap(entries));
      }
    }
  }
  if (problems.length) fail(problems);
  return { file, columns, byHeader, values };
}

/** Why a target word is not one Pano reads for the field, or null. Level words are free (unknown ones are kept). */
function wordProblem(field: string, word: string): string | null {
  if (field === 'Result' || field === 'Status') {
    const s = veeamStatus(word);
    return typeof s === 'string' ? null : 'is not a Veeam result Pano reads (Success, Warning, Failed, None)';
  }
  if (field === 'State') {
    const s = veeamStatus('Success', word);
    return typeof s === 'string' ? null : 'is not a Veeam session state Pano reads (Completed, Working, Starting, Stopping, …)';
  }
  return null;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
