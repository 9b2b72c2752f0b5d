import { MASK, redactTcknInRecord } from '../../../common/kvkk.js';
import { zoneClock } from '../../calendar/wall-clock.js';
import { decodeGlpiText } from '../helpdesk/rows.js';
import type { UnitMap } from '../../unit-map.js';
import {
  addMonths,
  ASSET_STATUS_LABELS,
  assetTypeOfCategory,
  classifyState,
  parseAmount,
  parseDateOnly,
  resolveAssetUnit,
  type AssetStatus,
} from './asset-rules.js';
import type { AssetValidation } from './glpi-rows.js';

/**
 * The Snipe-IT row schema: one `/api/v1/hardware` row in, the landed raw_inventory.snipeit_assets row
 * out, or every reason it must go to quarantine. Snipe-IT writes dates as {date, formatted} and
 * datetimes as {datetime, formatted} in its APP_TIMEZONE, HTML-escapes text, and formats
 * `purchase_cost` with the site's digit separator ("1,234.56" or "1.234,56"). Pure code.
 */

export interface SnipeItRowOptions {
  /** Zone of Snipe-IT's datetimes (its APP_TIMEZONE). */
  timezone: string;
  unitMap: UnitMap;
}

/** Stable key of a Snipe-IT asset: `snipeit:<id>`. */
export function snipeItAssetKey(id: number | string): string {
  return `snipeit:${id}`;
}

/** Snipe-IT's status_meta (or status_type) → Pano's status class. */
const META_STATUS: Record<string, AssetStatus> = {
  deployed: 'in_use',
  deployable: 'in_stock',
  pending: 'in_stock',
  undeployable: 'out_of_service',
  archived: 'scrapped',
};

export function validateSnipeItAsset(raw: Record<string, unknown>, opts: SnipeItRowOptions): AssetValidation {
  const problems: string[] = [];
  const clock = zoneClock(opts.timezone);
  const obj = (v: unknown): Record<string, unknown> | null => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null);
  const text = (v: unknown): string | null => {
    if (v === null || v === undefined || typeof v === 'object') return null;
    const s = decodeGlpiText(String(v)).trim();
    return s === '' ? null : s;
  };
  const nameOf = (v: unknown): string | null => text(obj(v)?.name);

  const id = Number(raw.id);
  if (raw.id === null || raw.id === undefined || raw.id === '' || !Number.isInteger(id) || id <= 0) {
    problems.push(`id ${JSON.stringify(raw.id ?? null)} is not a positive integer`);
  }

  /** {date, formatted} | {datetime, formatted} | 'YYYY-MM-DD' | null → 'YYYY-MM-DD' | null. */
  const date = (v: unknown, field: string): string | null => {
    const o = obj(v);
    const inner = o ? (o.date ?? o.datetime ?? null) : v;
    const s = typeof inner === 'string' ? inner.trim().slice(0, 10) : inner;
    const p = parseDateOnly(s, field);
    if (!p.ok) problems.push(p.reason.replace(/"[^"]*"/, JSON.stringify(typeof inner === 'string' ? inner : (inner ?? null))));
    return p.ok ? p.value : null;
  };
  const instant = (v: unknown, field: string): Date | null => {
    const o = obj(v);
    const inner = o ? (o.datetime ?? o.date ?? null) : v;
    if (inner === null || inner === undefined || inner === '') return null;
    if (typeof inner !== 'string') {
      problems.push(`${field} ${JSON.stringify(inner)} is not a date-time`);
      return null;
    }
    const t = clock.parse(inner);
    if (t === null) {
      problems.push(`${field} "${inner}" is not a date-time 'YYYY-MM-DD HH:MM:SS'`);
      return null;
    }
    return new Date(t);
  };

  const purchaseDate = date(raw.purchase_date, 'purchase_date');
  const warrantyExpires = date(raw.warranty_expires, 'warranty_expires');
  const eolDate = date(raw.asset_eol_date, 'asset_eol_date');
  const createdAt = instant(raw.created_at, 'created_at');
  const updatedAt = instant(raw.updated_at, 'updated_at');
  const deletedAt = instant(raw.deleted_at, 'deleted_at');

  const cost = parseAmount(raw.purchase_cost, 'purchase_cost');
  if (!cost.ok) problems.push(cost.reason);
  else if (cost.value !== null && cost.value < 0) problems.push(`purchase_cost ${cost.value} is negative`);
  const book = parseAmount(raw.book_value, 'book_value');
  if (!book.ok) problems.push(book.reason);

  // "36 months" / "36 ay" (HTML-escaped, localized) or a bare number.
  let warrantyMonths: number | null = null;
  if (raw.warranty_months !== null && raw.warranty_months !== undefined && raw.warranty_months !== '') {
    const m = /^\s*(\d+)\b/.exec(String(raw.warranty_months));
    if (m) warrantyMonths = Number(m[1]) || null;
    else problems.push(`warranty_months ${JSON.stringify(raw.warranty_months)} does not start with a number of months`);
  }

  const company = nameOf(raw.company);
  const location = nameOf(raw.location);
  const defaultLocation = nameOf(raw.rtd_location);
  const unit = resolveAssetUnit(
    [
      { role: 'company', name: company },
      { role: 'location', name: location },
      { role: 'default location', name: defaultLocation },
    ],
    opts.unitMap,
  );
  if (problems.length || unit.unitCode === null) {
    const unitReason = unit.unitCode === null ? `unit cannot be resolved: ${unit.reason}` : null;
    return { ok: false, reason: [...problems, ...(unitReason ? [unitReason] : [])].join('; '), unitOnly: problems.length === 0 };
  }

  const label = obj(raw.status_label);
  const stateName = text(label?.name);
  const meta = (text(label?.status_meta) ?? text(label?.status_type) ?? '').toLowerCase();
  const status: AssetStatus = deletedAt ? 'scrapped' : (META_STATUS[meta] ?? classifyState(stateName));
  const category = nameOf(raw.category);
  const warrantyEnd = warrantyExpires ?? (purchaseDate && warrantyMonths ? addMonths(purchaseDate, warrantyMonths) : null);
  const assigned = obj(raw.assigned_to);
  return {
    ok: true,
    row: {
      asset_key: snipeItAssetKey(id),
      source_id: String(id),
      name: text(raw.name),
      inventory_number: text(raw.asset_tag),
      serial: text(raw.serial),
      asset_type: assetTypeOfCategory(category),
      subtype: category,
      manufacturer: nameOf(raw.manufacturer),
      model: nameOf(raw.model),
      state_name: stateName,
      status,
      status_label: ASSET_STATUS_LABELS[status],
      location: location ?? defaultLocation,
      group_name: company,
      unit_code: unit.unitCode,
      unit_resolved_via: unit.via,
      supplier: nameOf(raw.supplier),
      purchase_date: purchaseDate,
      warranty_start: warrantyMonths ? purchaseDate : null,
      warranty_months: warrantyMonths,
      warranty_lifelong: false,
      warranty_end: warrantyEnd,
      value: cost.ok && cost.value !== null && cost.value > 0 ? cost.value : null,
      decommissioned_at: null,
      created_at: createdAt,
      modified_at: updatedAt ?? createdAt,
      asset_id: id,
      category,
      company,
      status_meta: meta || null,
      assigned_type: assigned ? (text(assigned.type) ?? 'user') : null,
      model_number: text(raw.model_number),
      eol_date: eolDate,
      book_value: book.ok ? book.value : null,
      order_number: text(raw.order_number),
    },
  };
}

/**
 * A Snipe-IT row as it may be kept in the quarantine: the person an asset is checked out to is
 * reduced to its type and id, custom field values are hidden (they may hold anything), pictures
 * and UI flags dropped, and any TC Kimlik No masked.
 */
export function maskSnipeItAsset(raw: Record<string, unknown>): Record<string, unknown> {
  const { assigned_to, custom_fields, image, qr, alt_barcode, available_actions, ...rest } = raw as Record<string, any>;
  const out: Record<string, unknown> = { ...rest };
  if (assigned_to && typeof assigned_to === 'object') out.assigned_to = { type: assigned_to.type ?? null, id: assigned_to.id ?? null };
  else if (assigned_to !== undefined) out.assigned_to = assigned_to;
  if (custom_fields && typeof custom_fields === 'object') out.custom_fields = Object.fromEntries(Object.keys(custom_fields).map((k) => [k, MASK]));
  return redactTcknInRecord(out);
}
