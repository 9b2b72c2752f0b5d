import { zoneClock } from '../../calendar/wall-clock.js';
import { decodeGlpiText } from '../helpdesk/rows.js';
import type { UnitMap } from '../../unit-map.js';
import {
  ASSET_STATUS_LABELS,
  assetTypeOfGlpi,
  classifyState,
  parseAmount,
  parseDateOnly,
  resolveAssetUnit,
  warrantyEnd,
  type UnitCandidate,
} from './asset-rules.js';
import type { RawGlpiAsset } from './glpi-extract.js';

/**
 * The GLPI asset row schema: a raw asset (glpi-extract.ts) in, the landed raw_inventory.glpi_assets
 * row out, or every reason it must go to quarantine. Pure code.
 */

export interface GlpiAssetRowOptions {
  /** Zone of GLPI's wall-clock datetimes (PANO_GLPI_TIMEZONE). */
  timezone: string;
  unitMap: UnitMap;
}

export type AssetValidation =
  { ok: true; row: Record<string, unknown> } | { ok: false; reason: string; /** True when the only problem is the unit. */ unitOnly: boolean };

const ITEMTYPES = new Set(['Computer', 'Monitor', 'Printer', 'NetworkEquipment', 'Phone']);

/** Stable key of a GLPI asset across runs: `glpi:<itemtype>:<id>`. */
export function glpiAssetKey(itemtype: string, id: number | string): string {
  return `glpi:${itemtype}:${id}`;
}

export function validateGlpiAsset(raw: Record<string, unknown>, opts: GlpiAssetRowOptions): AssetValidation {
  const r = raw as Partial<RawGlpiAsset> & Record<string, unknown>;
  const problems: string[] = [];
  const clock = zoneClock(opts.timezone);

  const id = Number(r.id);
  if (!Number.isInteger(id) || id <= 0) problems.push(`id ${JSON.stringify(r.id)} is not a positive integer`);
  const itemtype = String(r.itemtype ?? '');
  if (!ITEMTYPES.has(itemtype)) problems.push(`itemtype ${JSON.stringify(r.itemtype)} is not one of Computer, Monitor, Printer, NetworkEquipment, Phone`);

  const instant = (v: unknown, field: string): Date | null => {
    if (v === null || v === undefined) return null;
    if (v instanceof Date) {
      if (Number.isFinite(v.getTime())) return v;
      problems.push(`${field} is an invalid date`);
      return null;
    }
    const s = String(v).trim();
    if (s === '' || /^0000-00-00/.test(s)) return null;
    const t = clock.parse(s);
    if (t === null) {
      problems.push(`${field} "${s}" is not a date-time 'YYYY-MM-DD HH:MM:SS'`);
      return null;
    }
    return new Date(t);
  };
  const date = (v: unknown, field: string): string | null => {
    const p = parseDateOnly(v, field);
    if (!p.ok) problems.push(p.reason);
    return p.ok ? p.value : null;
  };

  const modifiedAt = instant(r.date_mod, 'date_mod');
  const createdAt = instant(r.date_creation, 'date_creation');
  const decommissionedAt = instant(r.decommission_date, 'decommission_date');
  const buyDate = date(r.buy_date, 'buy_date');
  const useDate = date(r.use_date, 'use_date');
  const warrantyDate = date(r.warranty_date, 'warranty_date');

  let months = 0;
  if (r.warranty_duration !== null && r.warranty_duration !== undefined) {
    months = Number(r.warranty_duration);
    if (!Number.isInteger(months) || months < -1) {
      problems.push(`warranty_duration ${JSON.stringify(r.warranty_duration)} is not a number of months (−1 = lifelong)`);
      months = 0;
    }
  }
  const value = parseAmount(r.value, 'value');
  if (!value.ok) problems.push(value.reason);
  else if (value.value !== null && value.value < 0) problems.push(`value ${value.value} is negative`);

  if (buyDate && decommissionedAt) {
    const decommissionDay = clock.formatDate(decommissionedAt);
    if (decommissionDay < buyDate) problems.push(`decommission_date ${decommissionDay} is before buy_date ${buyDate}`);
  }

  const text = (v: unknown): string | null => {
    if (v === null || v === undefined) return null;
    const s = decodeGlpiText(String(v)).trim();
    return s === '' ? null : s;
  };
  const groupName = text(r.group_path) ?? text(r.group_name);
  const groupId = Number(r.groups_id ?? 0);
  const location = text(r.location);
  const candidates: UnitCandidate[] = [
    { role: 'group', name: groupName, problem: groupId > 0 && !groupName ? `group id ${groupId} is not in glpi_groups` : undefined },
    { role: 'location', name: location },
  ];
  const unit = resolveAssetUnit(candidates, opts.unitMap);
  if (problems.length || unit.unitCode === null) {
    const unitReason = unit.unitCode === null ? `unit cannot be resolved: ${unit.reason}` : null;
    return { ok: false, reason: [...problems, ...(unitReason ? [unitReason] : [])].join('; '), unitOnly: problems.length === 0 };
  }

  const subtype = text(r.type_name);
  const stateName = text(r.state_name);
  const status = classifyState(stateName);
  const warranty = warrantyEnd(warrantyDate, months);
  const it = itemtype as RawGlpiAsset['itemtype'];
  return {
    ok: true,
    row: {
      asset_key: glpiAssetKey(itemtype, id),
      source_id: String(id),
      name: text(r.name),
      inventory_number: text(r.otherserial),
      serial: text(r.serial),
      asset_type: assetTypeOfGlpi(it, subtype),
      subtype,
      manufacturer: text(r.manufacturer),
      model: text(r.model_name),
      state_name: stateName,
      status,
      status_label: ASSET_STATUS_LABELS[status],
      location,
      group_name: groupName,
      unit_code: unit.unitCode,
      unit_resolved_via: unit.via,
      supplier: text(r.supplier),
      purchase_date: buyDate,
      warranty_start: warrantyDate,
      warranty_months: months > 0 ? months : null,
      warranty_lifelong: warranty.lifelong,
      warranty_end: warranty.end,
      value: value.ok && value.value !== null && value.value > 0 ? value.value : null,
      decommissioned_at: decommissionedAt,
      created_at: createdAt,
      modified_at: modifiedAt ?? createdAt,
      itemtype,
      item_id: id,
      entity: text(r.entity),
      tech_group: text(r.tech_group),
      group_count: Number(r.group_count ?? 0),
      use_date: useDate,
      immo_number: text(r.immo_number),
      order_number: text(r.order_number),
      has_infocom: r.infocom_id !== null && r.infocom_id !== undefined,
      is_dynamic: Number(r.is_dynamic ?? 0) === 1,
    },
  };
}
