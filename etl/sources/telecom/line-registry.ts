import { redactTcknInText } from '../../../common/kvkk.js';
import { UNITS, type Unit } from '../../../common/units.js';
import type { Validated } from '../../source.js';
import type { Column } from '../../warehouse/duckdb.js';
import type { ColumnSpec, CsvItem } from './csv.js';
import type { KvkkGuard } from './kvkk-guard.js';
import { parseLineKey } from './line-key.js';
import { operatorFromName } from './operators.js';
import { foldKey, parseTrDate, parseTrDecimal, round2 } from './tr-format.js';

/**
 * The line registry (hat listesi): which unit uses which line, its type, operator, tariff, an optional
 * monthly budget, and the period it is active. One CSV row per line and period; a line that moved from one
 * unit to another has one row per period (the active periods must not overlap).
 */

export const LINE_TYPES = ['PSTN', 'TTVPN', 'FIBER', 'GSM', 'DATA'] as const;
export type LineType = (typeof LINE_TYPES)[number];
export const LINE_TYPE_LABELS: Record<LineType, string> = { PSTN: 'PSTN', TTVPN: 'TTVPN', FIBER: 'ADSL/Fiber', GSM: 'GSM', DATA: 'Data' };

const LINE_TYPE_WORDS: Array<[string[], LineType]> = [
  [['pstn', 'sabit', 'sabithat', 'sabittelefon', 'analog', 'analoghat', 'isdn'], 'PSTN'],
  [['ttvpn', 'vpn', 'metroethernet', 'metro', 'datadevresi', 'devre', 'kiralikdevre'], 'TTVPN'],
  [['adsl', 'vdsl', 'xdsl', 'fiber', 'fiberinternet', 'adslfiber', 'adslvdslfiber', 'internet', 'genisbant', 'fttx', 'ftth'], 'FIBER'],
  [['gsm', 'mobil', 'mobilhat', 'cep', 'ceptelefonu', 'mobilses'], 'GSM'],
  [['data', 'datahatti', 'm2m', 'mobildata', 'mobilinternet', 'apn', 'datasim', 'simdata'], 'DATA'],
];

/** "ADSL/Fiber", "fiber", "Sabit Hat", "M2M", "GSM" → the line type; null when unknown. */
export function lineTypeOf(value: string): LineType | null {
  const k = foldKey(value);
  for (const [words, type] of LINE_TYPE_WORDS) if (words.includes(k)) return type;
  if (LINE_TYPES.includes(k.toUpperCase() as LineType)) return k.toUpperCase() as LineType;
  return null;
}

export const REGISTRY_SPEC: ColumnSpec[] = [
  { field: 'line_number', names: ['Hat No', 'Hat Numarası', 'Telefon No', 'Telefon Numarası', 'Telefon', 'Numara', 'MSISDN', 'GSM No'], required: true },
  { field: 'service_number', names: ['Hizmet No', 'Hizmet Numarası', 'Abone No', 'Abone Numarası', 'Devre No'], required: false },
  { field: 'unit_code', names: ['Birim Kodu', 'Müdürlük Kodu', 'Unit Code'], required: false },
  { field: 'unit_name', names: ['Birim', 'Birim Adı', 'Müdürlük', 'Kullanan Birim'], required: false },
  { field: 'line_type', names: ['Hat Tipi', 'Hat Türü', 'Tip', 'Tür'], required: true },
  { field: 'operator', names: ['Operatör', 'Operator', 'Firma'], required: true },
  { field: 'tariff', names: ['Tarife', 'Paket', 'Tarife/Paket'], required: false },
  { field: 'monthly_budget', names: ['Aylık Bütçe', 'Aylık Bütçe (TL)', 'Bütçe', 'Bütçe (TL)', 'Aylık Limit', 'Limit'], required: false },
  { field: 'active_from', names: ['Başlangıç', 'Başlangıç Tarihi', 'Aktivasyon Tarihi', 'Açılış Tarihi', 'Geçerlilik Başlangıç'], required: false },
  { field: 'active_to', names: ['Bitiş', 'Bitiş Tarihi', 'İptal Tarihi', 'Kapanış Tarihi', 'Geçerlilik Bitiş'], required: false },
  { field: 'description', names: ['Açıklama', 'Not', 'Konum', 'Lokasyon'], required: false },
];
export const REGISTRY_REQUIRE_ONE_OF = [['unit_code', 'unit_name']];

export const REGISTRY_COLUMNS: Column[] = [
  { name: 'line_key', type: 'VARCHAR' },
  { name: 'line_number', type: 'VARCHAR' },
  { name: 'service_key', type: 'VARCHAR' },
  { name: 'service_number', type: 'VARCHAR' },
  { name: 'unit_code', type: 'VARCHAR' },
  { name: 'unit_name', type: 'VARCHAR' },
  { name: 'line_type', type: 'VARCHAR' },
  { name: 'line_type_label', type: 'VARCHAR' },
  { name: 'operator', type: 'VARCHAR' },
  { name: 'operator_as_written', type: 'VARCHAR' },
  { name: 'tariff', type: 'VARCHAR' },
  { name: 'monthly_budget', type: 'DOUBLE' },
  { name: 'active_from', type: 'VARCHAR' },
  { name: 'active_to', type: 'VARCHAR' },
  { name: 'description', type: 'VARCHAR' },
  { name: 'source_file', type: 'VARCHAR' },
  { name: 'source_line', type: 'INTEGER' },
];

const unitKeys = (units: readonly Unit[]) => {
  const m = new Map<string, Unit>();
  for (const u of units) {
    m.set(foldKey(u.code), u);
    m.set(foldKey(u.name), u);
    m.set(foldKey(u.name.replace(/\s+Müdürlüğü$/u, '')), u);
  }
  return m;
};
const UNIT_KEYS = unitKeys(UNITS);

/**
 * A unit code ("FEN_ISLERI") or name ("Fen İşleri Müdürlüğü", "FEN İŞLERİ", "Fen Isleri") → the unit;
 * compared folded (case, Turkish letters and punctuation ignored).
 */
export function resolveUnit(code: string | undefined, name: string | undefined): { unit: Unit } | { reason: string } {
  const c = code?.trim();
  const n = name?.trim();
  if (c) {
    const u = UNIT_KEYS.get(foldKey(c));
    if (u) return { unit: u };
    return { reason: `unit code "${c}" is not a known unit (use a code from common/units.ts, e.g. ${UNITS[0].code})` };
  }
  if (n) {
    const u = UNIT_KEYS.get(foldKey(n));
    if (u) return { unit: u };
    return { reason: `unit "${n}" is not a known unit (write the müdürlük's name, e.g. "${UNITS[5].name}", or its code)` };
  }
  return { reason: 'the unit is empty' };
}

/** A registry CSV row → the landed row, or every reason it cannot be. */
export function validateRegistryItem(item: CsvItem, guard: KvkkGuard): Validated {
  if (item.kind === 'problem') return { ok: false, reason: item.reason };
  const v = item.values;
  const reasons: string[] = [];
  const lineNumber = v.line_number?.trim() || null;
  const parsed = parseLineKey(lineNumber);
  if (!lineNumber || !parsed) reasons.push('Hat No is empty');
  const serviceNumber = v.service_number?.trim() || null;
  const serviceKey = serviceNumber ? (parseLineKey(serviceNumber)?.key ?? null) : null;

  const unit = resolveUnit(v.unit_code, v.unit_name);
  if ('reason' in unit) reasons.push(unit.reason);

  const typeRaw = v.line_type?.trim() ?? '';
  const lineType = typeRaw ? lineTypeOf(typeRaw) : null;
  if (!typeRaw) reasons.push('Hat Tipi is empty');
  else if (!lineType) reasons.push(`line type "${typeRaw}" is unknown (use PSTN, TTVPN, ADSL/Fiber, GSM or Data)`);

  const operatorRaw = v.operator?.trim() || null;
  const operator = operatorRaw ? (operatorFromName(operatorRaw) ?? 'DIGER') : null;

  let monthlyBudget: number | null = null;
  if (v.monthly_budget !== undefined && v.monthly_budget !== '') {
    const b = parseTrDecimal(v.monthly_budget);
    if (b === null) monthlyBudget = null;
    else if (Number.isNaN(b)) reasons.push(`Aylık Bütçe "${v.monthly_budget}" is not a number (write 1.234,56)`);
    else if (b < 0) reasons.push(`Aylık Bütçe ${v.monthly_budget} is negative`);
    else monthlyBudget = round2(b);
  }
  const from = parseTrDate(v.active_from);
  const to = parseTrDate(v.active_to);
  if (from === undefined) reasons.push(`Başlangıç "${v.active_from}" is not a date (dd.MM.yyyy)`);
  if (to === undefined) reasons.push(`Bitiş "${v.active_to}" is not a date (dd.MM.yyyy)`);
  if (from && to && to < from) reasons.push(`Bitiş ${v.active_to} is before Başlangıç ${v.active_from}`);

  if (reasons.length) return { ok: false, reason: reasons.join('; ') };
  const u = (unit as { unit: Unit }).unit;
  return {
    ok: true,
    row: {
      line_key: guard.guardKey(parsed!.key),
      line_number: guard.guardKey(parsed!.key) === parsed!.key ? lineNumber : guard.guardKey(parsed!.key),
      service_key: guard.guardKey(serviceKey),
      service_number: serviceKey && guard.guardKey(serviceKey) !== serviceKey ? guard.guardKey(serviceKey) : serviceNumber,
      unit_code: u.code,
      unit_name: u.name,
      line_type: lineType,
      line_type_label: LINE_TYPE_LABELS[lineType!],
      operator,
      operator_as_written: operatorRaw,
      tariff: v.tariff?.trim() || null,
      monthly_budget: monthlyBudget,
      active_from: from ?? null,
      active_to: to ?? null,
      description: v.description?.trim() ? redactTcknInText(v.description.trim()) : null,
      source_file: item.file,
      source_line: item.line,
    },
  };
}
