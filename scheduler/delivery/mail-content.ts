import { DateTime } from 'luxon';

/** The words of Pano's mail, in Turkish. Pure functions: same input, same mail. */

export interface MailContent {
  subject: string;
  text: string;
  html: string;
}

export const AUTOMATIC_NOTICE = 'Bu e-posta Pano tarafından otomatik gönderilmiştir.';
const SIGNATURE = 'Sultanbeyli Belediyesi Bilgi İşlem Müdürlüğü';

export interface ReportMailInput {
  /** "Yardım Masası Haftalık Raporu" */
  reportTitle: string;
  /** The occurrence the report is for (its day names the mail). */
  date: Date;
  timezone: string;
  filename: string;
  pages?: number;
  /** When the data was last refreshed: an ISO instant (shown in the timezone) or a ready text; null if unknown. */
  dataAsOf?: string | null;
  /** Sources whose last load failed: the mail warns that their figures may be stale. */
  failedSources?: string[];
}

/** Subject "Yardım Masası Haftalık Raporu — 30.11.2026", a greeting, what is attached, data freshness, the notice. */
export function composeReportMail(input: ReportMailInput): MailContent {
  const day = formatDay(input.date, input.timezone);
  const subject = `${input.reportTitle} — ${day}`;
  const pages = input.pages ? `, ${input.pages} sayfa` : '';
  const asOf = input.dataAsOf ? formatInstant(input.dataAsOf, input.timezone) : null;
  const warning = input.failedSources?.length
    ? `Uyarı: şu kaynakların son yüklemesi başarısız oldu: ${input.failedSources.join(', ')}. İlgili rakamlar güncel olmayabilir.`
    : null;
  const lines = [
    'Merhaba,',
    '',
    `${input.reportTitle} (${day}) ekte PDF olarak yer almaktadır: ${input.filename}${pages}.`,
    ...(asOf ? [`Rapordaki veriler ${asOf} itibarıyla günceldir.`] : []),
    ...(warning ? ['', warning] : []),
    '',
    'Raporu, yetkinizle Pano portalında da görüntüleyebilirsiniz.',
    '',
    `${AUTOMATIC_NOTICE} Lütfen yanıtlamayınız.`,
    SIGNATURE,
  ];
  const html = htmlMail([
    `<p>Merhaba,</p>`,
    `<p><strong>${esc(input.reportTitle)}</strong> (${esc(day)}) ekte PDF olarak yer almaktadır: <code>${esc(input.filename)}</code>${esc(pages)}.</p>`,
    ...(asOf ? [`<p>Rapordaki veriler <strong>${esc(asOf)}</strong> itibarıyla günceldir.</p>`] : []),
    ...(warning ? [`<p style="color:#b45309"><strong>${esc(warning)}</strong></p>`] : []),
    `<p>Raporu, yetkinizle Pano portalında da görüntüleyebilirsiniz.</p>`,
    `<p style="color:#666;font-size:12px">${esc(AUTOMATIC_NOTICE)} Lütfen yanıtlamayınız.<br>${esc(SIGNATURE)}</p>`,
  ]);
  return { subject, text: lines.join('\n'), html };
}

export interface FailureNoticeInput {
  reportTitle: string;
  reportId: string;
  runKey: string;
  date: Date;
  timezone: string;
  failures: Array<{ recipient: string; error: string; attempts: number }>;
}

/** The administrator's notice that a report did not reach some (or all) of its recipients. */
export function composeFailureNotice(input: FailureNoticeInput): MailContent {
  const day = formatDay(input.date, input.timezone);
  const subject = `Pano: rapor gönderilemedi — ${input.reportTitle} — ${day}`;
  const rows = input.failures.map((f) => `- ${f.recipient} (${f.attempts} deneme): ${f.error}`);
  const text = [
    'Merhaba,',
    '',
    `"${input.reportTitle}" raporu aşağıdaki alıcılara gönderilemedi.`,
    `Rapor: ${input.reportId} · Çalıştırma: ${input.runKey}`,
    '',
    ...rows,
    '',
    'Ayrıntılar Pano teslimat kayıtlarında ve denetim günlüğündedir. Sorun giderildiğinde rapor bir sonraki zamanlanmış çalıştırmada yeniden gönderilir.',
    '',
    AUTOMATIC_NOTICE,
  ].join('\n');
  const html = htmlMail([
    `<p>Merhaba,</p>`,
    `<p><strong>${esc(input.reportTitle)}</strong> raporu aşağıdaki alıcılara gönderilemedi.</p>`,
    `<p>Rapor: <code>${esc(input.reportId)}</code> · Çalıştırma: <code>${esc(input.runKey)}</code></p>`,
    `<ul>${input.failures.map((f) => `<li>${esc(f.recipient)} (${f.attempts} deneme): ${esc(f.error)}</li>`).join('')}</ul>`,
    `<p>Ayrıntılar Pano teslimat kayıtlarında ve denetim günlüğündedir. Sorun giderildiğinde rapor bir sonraki zamanlanmış çalıştırmada yeniden gönderilir.</p>`,
    `<p style="color:#666;font-size:12px">${esc(AUTOMATIC_NOTICE)}</p>`,
  ]);
  return { subject, text, html };
}

/** 30.11.2026 in the given timezone. */
export function formatDay(date: Date, timezone: string): string {
  return DateTime.fromJSDate(date, { zone: timezone }).toFormat('dd.MM.yyyy');
}

function formatInstant(value: string, timezone: string): string {
  const dt = DateTime.fromISO(value, { setZone: true });
  return dt.isValid ? dt.setZone(timezone).toFormat('dd.MM.yyyy HH:mm') : value;
}

function htmlMail(body: string[]): string {
  return [
    '<!doctype html><html lang="tr"><head><meta charset="utf-8"></head>',
    '<body style="font-family:Arial,Helvetica,sans-serif;font-size:14px;color:#222;line-height:1.5">',
    ...body,
    '</body></html>',
  ].join('\n');
}

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
