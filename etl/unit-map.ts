import fs from 'node:fs';
import { z } from 'zod';
import { ConfigError, errorMessage } from '../common/errors.js';
import { cachedFold, TR_FOLD } from '../common/definitions/text.js';
import { UNITS, type Unit } from '../common/units.js';
import type { GlpiTicket } from './sources/helpdesk/rows.js';

/**
 * Which müdürlük a ticket belongs to. GLPI knows requester groups and entities; Pano knows
 * unit codes. The runner resolves every ticket with resolveUnit() and quarantines the ones
 * that resolve to nothing, with the reason given here.
 */

/** Folded GLPI name → unit code. */
export type UnitMap = ReadonlyMap<string, string>;

export type UnitResolution = { unitCode: string; via: 'map' | 'group' | 'entity'; matched: string } | { unitCode: null; reason: string };

/**
 * Folds a name for comparison only: Unicode NFC, trimmed, inner whitespace collapsed,
 * lower-cased with Turkish rules ('İ' → 'i', 'I' → 'ı'). Never used to build keys. TR_FOLD.name in
 * common/definitions/text.ts; each distinct name is folded once (cachedFold), as every ticket asks for its
 * group and entity names.
 */
export const foldName: (s: string) => string = cachedFold(TR_FOLD.name);

const mapFileSchema = z.record(z.string().min(1), z.string().min(1));

/**
 * Reads the optional unit map, a JSON object {"<GLPI group or entity name>": "<UNIT_CODE>"}.
 * No file → an empty map. Unknown unit codes, duplicate names (after folding) or bad JSON
 * are configuration errors, all reported at once.
 */
export function loadUnitMap(file?: string, units: readonly Unit[] = UNITS): UnitMap {
  if (!file) return new Map();
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError(`PANO_GLPI_UNIT_MAP: cannot read ${file}: ${errorMessage(e)}`, e);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(`PANO_GLPI_UNIT_MAP: ${file} is not valid JSON: ${errorMessage(e)}`, e);
  }
  const parsed = mapFileSchema.safeParse(json);
  if (!parsed.success) {
    throw new ConfigError(`PANO_GLPI_UNIT_MAP: ${file} must be a JSON object of "GLPI name": "UNIT_CODE" strings`);
  }
  const codes = new Set(units.map((u) => u.code));
  const problems: string[] = [];
  const map = new Map<string, string>();
  for (const [name, code] of Object.entries(parsed.data)) {
    const key = foldName(name);
    if (!codes.has(code)) problems.push(`"${name}": unknown unit code "${code}"`);
    else if (map.has(key) && map.get(key) !== code) problems.push(`"${name}": listed twice with different codes`);
    else map.set(key, code);
  }
  if (problems.length) throw new ConfigError(`PANO_GLPI_UNIT_MAP: ${file} has errors:\n${problems.map((p) => `  ${p}`).join('\n')}`);
  return map;
}

/**
 * The unit of a ticket: the explicit map first (requester group, then entity), then a
 * requester group named exactly like a unit, then an entity named like a unit.
 */
export function resolveUnit(
  ticket: Pick<GlpiTicket, 'requesterGroup' | 'entity' | 'entityName'>,
  unitMap: UnitMap,
  units: readonly Unit[] = UNITS,
): UnitResolution {
  const group = ticket.requesterGroup?.trim() || null;
  const entityNames = [ticket.entityName, ticket.entity].map((e) => e?.trim() || null).filter((e): e is string => e !== null);

  for (const name of [group, ...entityNames]) {
    if (!name) continue;
    const code = unitMap.get(foldName(name));
    if (code) return { unitCode: code, via: 'map', matched: name };
  }
  const byName = unitsByFoldedName(units);
  if (group) {
    const u = byName.get(foldName(group));
    if (u) return { unitCode: u.code, via: 'group', matched: group };
  }
  for (const name of entityNames) {
    const u = byName.get(foldName(name));
    if (u) return { unitCode: u.code, via: 'entity', matched: name };
  }

  const entity = ticket.entityName ?? ticket.entity;
  const entityPart = entity ? `entity "${entity}" is not a unit either` : 'it has no entity';
  return {
    unitCode: null,
    reason: group
      ? `requester group "${group}" is not a known unit (add it to PANO_GLPI_UNIT_MAP), and ${entityPart}`
      : `ticket has no requester group, and ${entityPart}`,
  };
}

const foldedCache = new WeakMap<readonly Unit[], Map<string, Unit>>();

function unitsByFoldedName(units: readonly Unit[]): Map<string, Unit> {
  let m = foldedCache.get(units);
  if (!m) {
    m = new Map(units.map((u) => [foldName(u.name), u]));
    foldedCache.set(units, m);
  }
  return m;
}
