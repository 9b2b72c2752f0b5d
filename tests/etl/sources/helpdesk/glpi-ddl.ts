import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Reads table → column names from GLPI's real DDL files in ../shared/samples/glpi/
 * (provenance in that folder's README: GLPI 10.0.19 install schema, GLPI 11.0.7 deltas).
 */
const here = path.dirname(fileURLToPath(import.meta.url));
export const SAMPLES_GLPI = path.resolve(here, '../../../../../shared/samples/glpi');
export const GLPI_10_EMPTY = path.join(SAMPLES_GLPI, 'glpi-10.0.19-empty.sql');
export const GLPI_11_DELTAS = path.join(SAMPLES_GLPI, 'glpi-11.0.7-deltas.sql');

export function readGlpiColumns(file: string): Map<string, string[]> {
  const tables = new Map<string, string[]>();
  let current: string[] | null = null;
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const create = /^CREATE TABLE `([^`]+)`/.exec(line);
    if (create) {
      current = [];
      tables.set(create[1], current);
      continue;
    }
    if (!current) continue;
    if (line.startsWith(')')) {
      current = null;
      continue;
    }
    const col = /^\s+`([^`]+)`\s/.exec(line);
    if (col) current.push(col[1]);
  }
  return tables;
}
