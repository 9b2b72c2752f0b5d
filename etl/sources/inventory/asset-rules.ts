import { TR_FOLD, turkishFold } from '../../../common/definitions/text.js';
import { UNITS, type Unit } from '../../../common/units.js';
import { decodeGlpiText } from '../helpdesk/rows.js';
import type { Parsed } from '../../source.js';
import { foldName, type UnitMap } from '../../unit-map.js';

/**
 * Rules shared by both inventory connectors (GLPI assets, Snipe-IT hardware): status classes,
 * Pano's asset types, warranty end, dates and amounts as the source systems write them, and the
 * unit of an asset. Pure code, no I/O; table-tested in tests/etl/sources/inventory/asset-rules.test.ts.
 */

// ---------------------------------------------------------------------------------------------
// Status

/** The life-cycle class of an asset, whatever the site calls its states. */
export type AssetStatus = 'in_use' | 'in_stock' | 'out_of_service' | 'scrapped' | 'unknown';

export const ASSET_STATUS_LABELS: Record<AssetStatus, string> = {
  in_use: 'Kullanımda',
  in_stock: 'Depoda',
  out_of_service: 'Kullanım dışı',
  scrapped: 'Hurdaya ayrıldı',
  unknown: 'Belirsiz',
};

/**
 * Lower-cased with Turkish rules (as foldName), then Turkish letters folded to ASCII and accents dropped;
 * punctuation and spaces stay. For keyword matching only. TR_FOLD.words in common/definitions/text.ts.
 */
export function asciiFold(s: string): string {
  return turkishFold(s, TR_FOLD.words);
}

/**
 * Keyword rules on a state name (ASCII-folded), tried in this order: the first class with a match
 * wins. Order matters: "Kullanım dışı" is out of service although it contains "kullanım",
 * "Hurda bekliyor" is out of service (not yet scrapped), "Undeployable" is not "deployable".
 */
const STATE_RULES: Array<[AssetStatus, RegExp]> = [
  ['out_of_service', /hurda(ya)? ?(ayrilacak|bekl)|kullanim ?disi|out of service|undeployable/],
  ['scrapped', /hurda|terkin|imha|scrap|dispos|retired|archiv|kayip|calin|lost|stolen/],
  ['out_of_service', /ariza|onarim|tamir|bakim|serviste|servis|broken|repair|defect|faulty|maintenance|kullanilamaz/],
  ['in_stock', /depo|stok|stock|yedek|spare|ready to deploy|deployable|bosta|atanmamis|pending|beklemede|teslim bekl/],
  ['in_use', /kullanim|kullanilan|in use|aktif|active|deployed|production|uretim|zimmet|calisiyor|canli/],
];

/**
 * Classifies a GLPI state (its completename, e.g. "Kullanım dışı > Hurda") or a Snipe-IT status
 * label name. The leaf decides first, then its parents. No state at all → 'unknown'; a name that
 * matches no rule → 'unknown' too (the raw name stays in `state_name`).
 */
export function classifyState(stateName: string | null | undefined): AssetStatus {
  if (!stateName) return 'unknown';
  return memo(stateCache, stateName, () => {
    const parts = splitPath(stateName).reverse();
    for (const part of parts) {
      const f = asciiFold(part);
      for (const [status, re] of STATE_RULES) if (re.test(f)) return status;
    }
    return 'unknown';
  });
}

const stateCache = new Map<string, AssetStatus>();
const typeCache = new Map<string, AssetType>();

/** A small bounded cache: sources have few distinct state, type, group and location names. */
function memo<V>(cache: Map<string, V>, key: string, compute: () => V): V {
  let v = cache.get(key);
  if (v === undefined) {
    if (cache.size > 20_000) cache.clear();
    v = compute();
    cache.set(key, v);
  }
  return v;
}

/** Splits a GLPI completename ("A > B > C", or GLPI 10's "A &#62; B") into its names. */
export function splitPath(completename: string): string[] {
  return decodeGlpiText(completename)
    .split(/\s*>\s*/)
    .map((p) => p.trim())
    .filter((p) => p !== '');
}

// ---------------------------------------------------------------------------------------------
// Asset types

export type GlpiItemtype = 'Computer' | 'Monitor' | 'Printer' | 'NetworkEquipment' | 'Phone';

/** Pano's asset type per GLPI itemtype (what reports show). */
export const ITEMTYPE_LABELS: Record<GlpiItemtype, string> = {
  Computer: 'Bilgisayar',
  Monitor: 'Monitör',
  Printer: 'Yazıcı',
  NetworkEquipment: 'Ağ cihazı',
  Phone: 'IP telefon',
};

/** Every type Pano reports, in display order. */
export const ASSET_TYPES = ['Bilgisayar', 'Sunucu', 'POS cihazı', 'Monitör', 'Yazıcı', 'Ağ cihazı', 'Kamera', 'IP telefon', 'Diğer'] as const;
export type AssetType = (typeof ASSET_TYPES)[number];

/**
 * The type of a GLPI asset: its itemtype's label, refined by GLPI's own type name where a
 * municipality reports it apart (servers, POS terminals of the social facilities, IP cameras).
 */
export function assetTypeOfGlpi(itemtype: GlpiItemtype, subtype: string | null): AssetType {
  return memo(typeCache, `${itemtype}\u0000${subtype ?? ''}`, () => glpiType(itemtype, subtype));
}

function glpiType(itemtype: GlpiItemtype, subtype: string | null): AssetType {
  const s = subtype ? asciiFold(subtype) : '';
  if (itemtype === 'Computer') {
    if (/sunucu|server/.test(s)) return 'Sunucu';
    if (/\bpos\b|yazarkasa|odeme terminal|kasa/.test(s)) return 'POS cihazı';
  }
  if (itemtype === 'NetworkEquipment' && /kamera|camera|nvr|dvr/.test(s)) return 'Kamera';
  return ITEMTYPE_LABELS[itemtype] as AssetType;
}

/** The type of a Snipe-IT asset from its category (free text per site), English or Turkish. */
export function assetTypeOfCategory(category: string | null): AssetType {
  return memo(typeCache, `category\u0000${category ?? ''}`, () => categoryType(category));
}

function categoryType(category: string | null): AssetType {
  const s = category ? asciiFold(category) : '';
  if (!s) return 'Diğer';
  if (/sunucu|server/.test(s)) return 'Sunucu';
  if (/\bpos\b|yazarkasa|odeme terminal/.test(s)) return 'POS cihazı';
  if (/kamera|camera|cctv|nvr|dvr/.test(s)) return 'Kamera';
  if (/monitor|display|ekran/.test(s)) return 'Monitör';
  if (/yazici|printer|tarayici|scanner|fotokopi|copier|plotter/.test(s)) return 'Yazıcı';
  if (/network|networking|switch|router|firewall|access point|ag cihaz|ag ekipman|modem|wireless|kablosuz/.test(s)) return 'Ağ cihazı';
  if (/telefon|phone|voip/.test(s)) return 'IP telefon';
  if (/bilgisayar|computer|laptop|notebook|desktop|dizustu|masaustu|workstation|tablet|all.in.one|\bpc\b/.test(s)) return 'Bilgisayar';
  return 'Diğer';
}

// ---------------------------------------------------------------------------------------------
// Dates and amounts

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})(?:[ T]00:00(?::00(?:\.0+)?)?)?$/;
const ZERO_DATE = /^0000-00-00/;

/**
 * A calendar date as a database or API hands it: 'YYYY-MM-DD' (optionally with a midnight time),
 * a driver Date at UTC midnight, '' / null / MySQL's zero date → null. Anything else is refused
 * with the field name and the value.
 */
export function parseDateOnly(v: unknown, field: string): Parsed<string | null> {
  if (v === null || v === undefined) return { ok: true, value: null };
  if (v instanceof Date) {
    if (!Number.isFinite(v.getTime())) return { ok: false, reason: `${field} is an invalid date` };
    return { ok: true, value: v.toISOString().slice(0, 10) };
  }
  if (typeof v !== 'string') return { ok: false, reason: `${field} ${JSON.stringify(v)} is not a date 'YYYY-MM-DD'` };
  const s = v.trim();
  if (s === '' || ZERO_DATE.test(s)) return { ok: true, value: null };
  const m = DATE_RE.exec(s);
  if (!m) return { ok: false, reason: `${field} "${s}" is not a date 'YYYY-MM-DD'` };
  const y = +m[1],
    mo = +m[2],
    d = +m[3];
  const t = new Date(Date.UTC(y, mo - 1, d));
  if (y < 1900 || mo < 1 || mo > 12 || t.getUTCMonth() !== mo - 1 || t.getUTCDate() !== d) {
    return { ok: false, reason: `${field} "${s}" is not a real calendar date` };
  }
  return { ok: true, value: `${m[1]}-${m[2]}-${m[3]}` };
}

/**
 * Adds whole months to a date the way SQL's DATE_ADD(…, INTERVAL n MONTH) does: the day is
 * clamped to the end of a shorter month (2024-01-31 + 1 month = 2024-02-29).
 */
export function addMonths(isoDate: string, months: number): string {
  const [y, m, d] = isoDate.split('-').map(Number);
  const total = y * 12 + (m - 1) + months;
  const ty = Math.floor(total / 12);
  const tm = total - ty * 12;
  const last = new Date(Date.UTC(ty, tm + 1, 0)).getUTCDate();
  const td = Math.min(d, last);
  return `${String(ty).padStart(4, '0')}-${String(tm + 1).padStart(2, '0')}-${String(td).padStart(2, '0')}`;
}

export interface Warranty {
  /** Last day covered, 'YYYY-MM-DD'; null when lifelong, unknown or none. */
  end: string | null;
  lifelong: boolean;
}

/**
 * GLPI's warranty end: `warranty_date` + `warranty_duration` months; −1 means lifelong (GLPI shows
 * "Never"); 0 months or no start date means no known warranty.
 */
export function warrantyEnd(start: string | null, months: number): Warranty {
  if (months === -1) return { end: null, lifelong: true };
  if (!start || !(months > 0)) return { end: null, lifelong: false };
  return { end: addMonths(start, months), lifelong: false };
}

/**
 * An amount written by a person or a locale-aware formatter: "1.234,56" (Turkish), "1,234.56"
 * (English), "1234.56", "1234,56", "₺ 12.500", "1 234,56", or a number. Rules, in order:
 *   - both "." and "," present: the last one is the decimal separator, the other groups thousands;
 *   - one kind, several times ("1.234.567"): thousands;
 *   - one separator followed by exactly 3 digits and a non-zero integer part ("1,234", "12.500"):
 *     thousands — Snipe-IT always prints two decimals, so a 3-digit tail is never decimals;
 *   - otherwise the one separator is the decimal point.
 * Currency signs (₺ TL TRY $ € USD EUR) and spaces are ignored. Empty → null.
 */
export function parseAmount(v: unknown, field: string): Parsed<number | null> {
  if (v === null || v === undefined) return { ok: true, value: null };
  if (typeof v === 'number') return Number.isFinite(v) ? { ok: true, value: v } : { ok: false, reason: `${field} ${v} is not an amount` };
  if (typeof v !== 'string') return { ok: false, reason: `${field} ${JSON.stringify(v)} is not an amount` };
  const original = v.trim();
  const s = original.replace(/(₺|\bTL\b|\bTRY\b|\$|€|\bUSD\b|\bEUR\b|[\s\u00a0\u202f'’])/gi, '');
  if (s === '') return { ok: true, value: null };
  const bad: Parsed<number | null> = { ok: false, reason: `${field} "${original}" is not an amount (expected e.g. 1.234,56 or 1,234.56)` };
  if (!/^-?[\d.,]+$/.test(s) || !/\d/.test(s)) return bad;
  const neg = s.startsWith('-');
  const body = neg ? s.slice(1) : s;
  const lastDot = body.lastIndexOf('.');
  const lastComma = body.lastIndexOf(',');
  let intPart: string;
  let fracPart = '';
  if (lastDot !== -1 && lastComma !== -1) {
    const dec = lastDot > lastComma ? '.' : ',';
    const group = dec === '.' ? ',' : '.';
    const i = body.lastIndexOf(dec);
    intPart = body.slice(0, i);
    fracPart = body.slice(i + 1);
    if (fracPart.includes(group) || !isGrouped(intPart, group)) return bad;
    intPart = intPart.split(group).join('');
  } else if (lastDot !== -1 || lastComma !== -1) {
    const sep = lastDot !== -1 ? '.' : ',';
    const parts = body.split(sep);
    if (parts.length > 2) {
      if (!isGrouped(body, sep)) return bad;
      intPart = parts.join('');
    } else if (parts[1].length === 3 && /^[1-9]\d{0,2}$/.test(parts[0])) {
      intPart = parts.join('');
    } else {
      intPart = parts[0] || '0';
      fracPart = parts[1];
    }
  } else {
    intPart = body;
  }
  if (!/^\d+$/.test(intPart) || !/^\d*$/.test(fracPart)) return bad;
  const n = Number(`${intPart}.${fracPart || '0'}`);
  if (!Number.isFinite(n)) return bad;
  return { ok: true, value: neg ? -n : n };
}

/** "1.234.567" grouped by `sep` in threes (the first group 1–3 digits); a plain "1234" also passes. */
function isGrouped(s: string, sep: string): boolean {
  if (!s.includes(sep)) return /^\d+$/.test(s);
  const parts = s.split(sep);
  return /^\d{1,3}$/.test(parts[0]) && parts.slice(1).every((p) => /^\d{3}$/.test(p));
}

// ---------------------------------------------------------------------------------------------
// Unit

export type AssetUnitRole = 'group' | 'location' | 'company' | 'default location';

/** A name that may tell an asset's unit, in the order it is trusted. */
export interface UnitCandidate {
  role: AssetUnitRole;
  /** The name as the source shows it (a GLPI completename "A > B" is tried whole, then leaf to root). */
  name: string | null;
  /** Why the name is missing although the source points at something, e.g. "group id 57 is not in glpi_groups". */
  problem?: string;
}

export type AssetUnitResolution = { unitCode: string; via: 'map' | AssetUnitRole; matched: string } | { unitCode: null; reason: string };

const unitIndex = new WeakMap<readonly Unit[], Map<string, Unit>>();
function unitsByName(units: readonly Unit[]): Map<string, Unit> {
  let m = unitIndex.get(units);
  if (!m) unitIndex.set(units, (m = new Map(units.map((u) => [foldName(u.name), u]))));
  return m;
}

/**
 * The unit of an asset, with the helpdesk connector's rules: first the explicit unit map
 * (PANO_GLPI_UNIT_MAP) for every candidate name (whole path, then each part from the leaf up), then
 * a candidate named exactly like a unit (a group "Fen İşleri Müdürlüğü > Yol Bakım" belongs to
 * Fen İşleri through its parent), candidates in the order given (group before location).
 * Names compare after NFC, trimming, collapsing spaces and Turkish lower-casing.
 */
export function resolveAssetUnit(candidates: readonly UnitCandidate[], unitMap: UnitMap, units: readonly Unit[] = UNITS): AssetUnitResolution {
  let perMap = unitCache.get(unitMap);
  if (!perMap) unitCache.set(unitMap, (perMap = new WeakMap()));
  let cache = perMap.get(units);
  if (!cache) perMap.set(units, (cache = new Map()));
  const key = candidates.map((c) => `${c.role}\u0001${c.name ?? ''}\u0001${c.problem ?? ''}`).join('\u0002');
  return memo(cache, key, () => resolveUncached(candidates, unitMap, units));
}

/** Resolutions per unit map and unit list (both immutable in practice), keyed by the candidates. */
const unitCache = new WeakMap<UnitMap, WeakMap<readonly Unit[], Map<string, AssetUnitResolution>>>();

function resolveUncached(candidates: readonly UnitCandidate[], unitMap: UnitMap, units: readonly Unit[]): AssetUnitResolution {
  const named = candidates.map((c) => {
    const name = c.name ? decodeGlpiText(c.name).trim() || null : null;
    const parts = name ? splitPath(name) : [];
    const tries = name ? [...new Set([name, ...[...parts].reverse()])] : [];
    return { ...c, name, tries };
  });
  for (const c of named) {
    for (const t of c.tries) {
      const code = unitMap.get(foldName(t));
      if (code) return { unitCode: code, via: 'map', matched: t };
    }
  }
  const byName = unitsByName(units);
  for (const c of named) {
    for (const t of c.tries) {
      const u = byName.get(foldName(t));
      if (u) return { unitCode: u.code, via: c.role, matched: t };
    }
  }
  const parts = named.map((c, i) => {
    if (c.problem) return c.problem;
    if (!c.name) return i === 0 ? `asset has no ${c.role}` : `no ${c.role}`;
    return i === 0 ? `${c.role} "${c.name}" is not a known unit` : `${c.role} "${c.name}" is not a unit either`;
  });
  const anyName = named.some((c) => c.name);
  return {
    unitCode: null,
    reason: `${parts.join(', and ')}${anyName ? ' (map the name to a unit code in PANO_GLPI_UNIT_MAP)' : ''}`,
  };
}
