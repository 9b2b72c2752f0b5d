import fs from 'node:fs';
import path from 'node:path';
import { redactTcknInText } from '../../../common/kvkk.js';
import { SourceUnavailableError, errorMessage } from '../../../common/errors.js';
import type { Validated } from '../../source.js';
import type { Column } from '../../warehouse/duckdb.js';
import type { ColumnSpec, CsvItem } from './csv.js';
import type { KvkkGuard } from './kvkk-guard.js';
import { parseLineKey } from './line-key.js';
import { operatorFromName, type OperatorCode } from './operators.js';
import { isoDate, parseTrDate, parseTrDecimal, parseTrMonth, round2 } from './tr-format.js';

/**
 * Operator detail exports (fatura detay / abone bazlı döküm): one row per line and billing period with the
 * fixed fee, usage charges, discounts and, where the operator gives them, the usage itself (minutes, MB,
 * SMS). They tell a line that is paid for but not used (idle) from one that is used.
 *
 * Every operator names its columns a little differently; the names below are the ones Pano knows. The
 * operator comes from an "Operatör" column, else from the file's path ("turkcell/…", "VF_Detay…").
 */

export const DETAIL_SPEC: ColumnSpec[] = [
  {
    field: 'line_number',
    names: ['Hat No', 'Hizmet No', 'Telefon No', 'Telefon Numarası', 'MSISDN', 'Abone No', 'GSM No', 'Numara', 'Hat Numarası', 'Hizmet Numarası'],
    required: true,
  },
  { field: 'period_start', names: ['Dönem Başlangıç', 'Dönem Başlangıcı', 'Dönem Başı', 'Fatura Dönemi Başlangıç', 'Başlangıç Tarihi'], required: false },
  { field: 'period_end', names: ['Dönem Bitiş', 'Dönem Sonu', 'Fatura Dönemi Bitiş', 'Bitiş Tarihi'], required: false },
  { field: 'period', names: ['Dönem', 'Fatura Dönemi', 'Ay'], required: false },
  { field: 'fixed_fee', names: ['Sabit Ücret', 'Sabit Ücretler', 'Aylık Ücret', 'Paket Ücreti', 'Abonelik Ücreti'], required: true },
  { field: 'usage_fee', names: ['Kullanım Ücreti', 'Kullanım Ücretleri', 'Kullanım', 'Aşım Ücreti', 'Değişken Ücret'], required: true },
  { field: 'discount', names: ['İndirim', 'İndirimler', 'İndirim Tutarı'], required: false },
  { field: 'other_fee', names: ['Diğer', 'Diğer Ücretler'], required: false },
  { field: 'total', names: ['Toplam', 'Toplam (KDV Hariç)', 'Toplam Tutar', 'Net Tutar', 'Vergiler Hariç Toplam'], required: false },
  { field: 'voice_minutes', names: ['Konuşma (dk)', 'Konuşma Süresi (dk)', 'Konuşma', 'Dakika', 'Ses (dk)'], required: false },
  { field: 'data_mb', names: ['Data (MB)', 'İnternet (MB)', 'Veri (MB)', 'Data', 'İnternet Kullanımı (MB)'], required: false },
  { field: 'sms_count', names: ['SMS', 'SMS Adedi', 'SMS (adet)'], required: false },
  { field: 'tariff', names: ['Tarife', 'Paket'], required: false },
  { field: 'operator', names: ['Operatör', 'Operator'], required: false },
  { field: 'invoice_no', names: ['Fatura No', 'Fatura Numarası'], required: false },
];
export const DETAIL_REQUIRE_ONE_OF = [['period_start', 'period']];

export const DETAIL_COLUMNS: Column[] = [
  { name: 'operator', type: 'VARCHAR' },
  { name: 'line_key', type: 'VARCHAR' },
  { name: 'line_number', type: 'VARCHAR' },
  { name: 'period_start', type: 'VARCHAR' },
  { name: 'period_end', type: 'VARCHAR' },
  { name: 'period_month', type: 'VARCHAR' },
  { name: 'tariff', type: 'VARCHAR' },
  { name: 'fixed_fee', type: 'DOUBLE' },
  { name: 'usage_fee', type: 'DOUBLE' },
  { name: 'discount', type: 'DOUBLE' },
  { name: 'other_fee', type: 'DOUBLE' },
  { name: 'net_amount', type: 'DOUBLE' },
  { name: 'total_as_written', type: 'DOUBLE' },
  { name: 'total_mismatch', type: 'BOOLEAN' },
  { name: 'voice_minutes', type: 'DOUBLE' },
  { name: 'data_mb', type: 'DOUBLE' },
  { name: 'sms_count', type: 'DOUBLE' },
  { name: 'has_usage', type: 'BOOLEAN' },
  { name: 'invoice_no', type: 'VARCHAR' },
  { name: 'source_file', type: 'VARCHAR' },
  { name: 'source_line', type: 'INTEGER' },
  { name: 'file_encoding', type: 'VARCHAR' },
];

/** Every *.csv / *.txt under `dir`, relative '/'-separated paths, sorted. */
export function listDetailFiles(dir: string): string[] {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(dir);
  } catch (e) {
    throw new SourceUnavailableError(`Operator detail folder ${dir} cannot be read: ${errorMessage(e)}`, e);
  }
  if (!stat.isDirectory()) throw new SourceUnavailableError(`Operator detail folder ${dir} is not a folder`);
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(r);
      else if (e.isFile() && /\.(csv|txt)$/i.test(e.name)) out.push(r);
    }
  };
  walk('');
  return out.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

const operatorOfPath = new Map<string, OperatorCode | null>();

/** The operator a file's path names ("turkcell/2025-11.csv", "VF_Detay_2025_11.csv", "tt-detay.csv"). */
export function operatorFromPath(rel: string): OperatorCode | null {
  // asked once per row: remember the answer per path (a run reads a few dozen files)
  let op = operatorOfPath.get(rel);
  if (op === undefined) {
    if (operatorOfPath.size > 10_000) operatorOfPath.clear();
    op = readOperatorFromPath(rel);
    operatorOfPath.set(rel, op);
  }
  return op;
}

function readOperatorFromPath(rel: string): OperatorCode | null {
  const parts = rel.split('/').flatMap((p) => [p.replace(/\.[^.]+$/, ''), ...p.replace(/\.[^.]+$/, '').split(/[_\-\s.]+/)]);
  for (const p of parts) {
    const op = operatorFromName(p);
    if (op && op !== 'DIGER') return op;
  }
  return null;
}

const AMOUNT_COLUMNS: Array<[field: string, label: string]> = [
  ['fixed_fee', 'Sabit Ücret'],
  ['usage_fee', 'Kullanım Ücreti'],
  ['discount', 'İndirim'],
  ['other_fee', 'Diğer'],
  ['total', 'Toplam'],
  ['voice_minutes', 'Konuşma (dk)'],
  ['data_mb', 'Data (MB)'],
  ['sms_count', 'SMS'],
];

/** A detail CSV row → the landed row, or every reason it cannot be. */
export function validateDetailItem(item: CsvItem, guard: KvkkGuard): Validated {
  if (item.kind === 'problem') return { ok: false, reason: item.reason };
  const v = item.values;
  const reasons: string[] = [];
  const lineNumber = v.line_number?.trim() || null;
  const key = parseLineKey(lineNumber)?.key ?? null;
  if (!key) reasons.push('the line number is empty');

  let start: string | null = null;
  let end: string | null = null;
  if (v.period_start !== undefined) {
    const s = parseTrDate(v.period_start);
    if (s === undefined) reasons.push(`Dönem Başlangıç "${v.period_start}" is not a date (dd.MM.yyyy)`);
    else if (s === null) reasons.push('Dönem Başlangıç is empty');
    else start = s;
    const e = parseTrDate(v.period_end);
    if (e === undefined) reasons.push(`Dönem Bitiş "${v.period_end}" is not a date (dd.MM.yyyy)`);
    else end = e;
    if (start && end && end < start) reasons.push(`Dönem Bitiş ${v.period_end} is before Dönem Başlangıç ${v.period_start}`);
  } else {
    const m = parseTrMonth(v.period);
    if (m === undefined) reasons.push(`Dönem "${v.period}" is not a month (MM.yyyy)`);
    else if (m === null) reasons.push('Dönem is empty');
    else {
      start = m;
      const [y, mo] = m.split('-').map(Number);
      end = isoDate(y, mo, new Date(Date.UTC(y, mo, 0)).getUTCDate());
    }
  }

  const n: Record<string, number | null> = {};
  for (const [field, label] of AMOUNT_COLUMNS) {
    const raw = v[field];
    if (raw === undefined) {
      n[field] = null;
      continue;
    }
    const x = parseTrDecimal(raw);
    if (x !== null && Number.isNaN(x)) reasons.push(`${label} "${raw}" is not a number (write 1.234,56)`);
    n[field] = x === null || Number.isNaN(x) ? null : x;
  }
  if (reasons.length) return { ok: false, reason: reasons.join('; ') };

  const fixed = round2(n.fixed_fee ?? 0);
  const usage = round2(n.usage_fee ?? 0);
  const discount = round2(Math.abs(n.discount ?? 0)); // written as 12,50 or -12,50: always a reduction
  const other = round2(n.other_fee ?? 0);
  const net = round2(fixed + usage - discount + other);
  const total = n.total === null ? null : round2(n.total);
  const usageQty = [n.voice_minutes, n.data_mb, n.sms_count];
  const hasUsage = usage > 0 || usageQty.some((q) => q !== null && q > 0);
  const operatorRaw = v.operator?.trim();
  const guarded = guard.guardKey(key);
  return {
    ok: true,
    row: {
      operator: operatorRaw ? (operatorFromName(operatorRaw) ?? 'DIGER') : operatorFromPath(item.file),
      line_key: guarded,
      line_number: guarded === key ? lineNumber : guarded,
      period_start: start,
      period_end: end,
      period_month: start ? `${start.slice(0, 7)}-01` : null,
      tariff: v.tariff?.trim() ? redactTcknInText(v.tariff.trim()) : null,
      fixed_fee: fixed,
      usage_fee: usage,
      discount,
      other_fee: other,
      net_amount: net,
      total_as_written: total,
      total_mismatch: total !== null && Math.abs(total - net) > 0.011,
      voice_minutes: n.voice_minutes,
      data_mb: n.data_mb,
      sms_count: n.sms_count,
      has_usage: hasUsage,
      invoice_no: v.invoice_no?.trim() || null,
      source_file: item.file,
      source_line: item.line,
      file_encoding: item.encoding,
    },
  };
}
