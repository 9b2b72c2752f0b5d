import { z } from 'zod';
import { zoneClock } from '../../calendar/wall-clock.js';
import { DEFAULT_TIMEZONE } from '../../../common/definitions/timezone.js';

/**
 * The GLPI row schema: a raw ticket record (extract.ts) in, a typed GlpiTicket out, or the
 * reasons it must go to quarantine. Datetimes arrive as local wall-clock text in the source's
 * zone and leave as UTC instants. Pure code.
 */

export const STATUS_LABELS = { 1: 'Yeni', 2: 'Atanmış', 3: 'Planlanmış', 4: 'Beklemede', 5: 'Çözüldü', 6: 'Kapandı' } as const;
export const TYPE_LABELS = { 1: 'Olay', 2: 'İstek' } as const;
export const PRIORITY_LABELS = { 1: 'Çok düşük', 2: 'Düşük', 3: 'Orta', 4: 'Yüksek', 5: 'Çok yüksek', 6: 'Acil' } as const;

export type GlpiStatus = keyof typeof STATUS_LABELS;
export type GlpiType = keyof typeof TYPE_LABELS;
export type GlpiPriority = keyof typeof PRIORITY_LABELS;

export interface GlpiTicket {
  id: number;
  title: string;
  openedAt: Date;
  takenIntoAccountAt: Date | null;
  solvedAt: Date | null;
  closedAt: Date | null;
  modifiedAt: Date;
  status: GlpiStatus;
  statusLabel: (typeof STATUS_LABELS)[GlpiStatus];
  type: GlpiType;
  typeLabel: (typeof TYPE_LABELS)[GlpiType];
  priority: GlpiPriority;
  priorityLabel: (typeof PRIORITY_LABELS)[GlpiPriority];
  urgency: number;
  impact: number;
  /** Category path, e.g. 'Donanım > Yazıcı'. */
  category: string | null;
  /** Entity path (completename), e.g. 'Sultanbeyli Belediyesi'. */
  entity: string | null;
  /** Entity's own name (the last part of the path). */
  entityName: string | null;
  requesterGroup: string | null;
  assignedGroup: string | null;
  /** Assigned technician's display name (first assigned user). */
  technician: string | null;
  /** SLA due dates: time_to_resolve and time_to_own. */
  slaDueAt: Date | null;
  ownDueAt: Date | null;
  slaName: string | null;
  /** GLPI's working-time delays in seconds (pending time excluded); null until the event happened. */
  takeIntoAccountDelaySec: number | null;
  solveDelaySec: number | null;
  closeDelaySec: number | null;
  waitingSec: number;
  /** Survey answer (GLPI 10: 0–5; GLPI 11 may be configured up to 10); null if none. */
  satisfaction: number | null;
  followupCount: number;
  solutionCount: number;
}

export type GlpiValidation = { ok: true; row: GlpiTicket } | { ok: false; reason: string };

const ZERO_DATE = /^0000-00-00/;
const DEFAULT_TZ = DEFAULT_TIMEZONE;

/** GLPI 10 stores text HTML-encoded ('Donanım &#62; Yazıcı'); GLPI 11 and the demo do not. */
export function decodeGlpiText(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(/&(#\d+|#x[0-9a-f]+|amp|lt|gt|quot|apos|nbsp);/gi, (m, e: string) => {
    const k = e.toLowerCase();
    if (k[0] === '#') {
      const code = k[1] === 'x' ? parseInt(k.slice(2), 16) : parseInt(k.slice(1), 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : m;
    }
    return ({ amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' } as Record<string, string>)[k];
  });
}

const text = z
  .string()
  .nullish()
  .transform((v) => {
    const s = v == null ? '' : decodeGlpiText(v).trim();
    return s === '' ? null : s;
  });

const int = (min: number, max: number, what: string) =>
  z.coerce
    .number({ error: `${what} is not a number` })
    .refine((n) => Number.isInteger(n) && n >= min && n <= max, { error: (iss) => `${what} must be an integer ${min}–${max}, got ${String(iss.input)}` });

const count = (what: string) => z.preprocess((v) => (v == null ? 0 : v), z.coerce.number().int().min(0, `${what} is negative`));

const delay = (what: string) =>
  z.preprocess(
    (v) => (v == null ? 0 : v),
    z.coerce
      .number()
      .int(`${what} is not a whole number`)
      .min(0, { error: (iss) => `${what} ${String(iss.input)} is negative` }),
  );

/** A datetime column: text (or a driver Date) → the original text, '' / zero date / null → null. */
const dateText = z.union([z.string(), z.date(), z.null(), z.undefined()]).transform((v) => {
  if (v == null) return null;
  if (v instanceof Date) return v;
  const s = v.trim();
  return s === '' || ZERO_DATE.test(s) ? null : s;
});

const rawShape = z.object({
  id: z.coerce.number().int().positive('id must be a positive integer'),
  name: text,
  date: dateText,
  closedate: dateText,
  solvedate: dateText,
  takeintoaccountdate: dateText,
  date_mod: dateText,
  date_creation: dateText,
  status: int(1, 6, 'status'),
  type: int(1, 2, 'type'),
  priority: int(1, 6, 'priority'),
  urgency: int(1, 5, 'urgency'),
  impact: int(1, 5, 'impact'),
  time_to_resolve: dateText,
  time_to_own: dateText,
  takeintoaccount_delay_stat: delay('takeintoaccount_delay_stat'),
  solve_delay_stat: delay('solve_delay_stat'),
  close_delay_stat: delay('close_delay_stat'),
  waiting_duration: delay('waiting_duration'),
  category: text,
  entity: text,
  entity_name: text,
  requester_group: text,
  assigned_group: text,
  technician: text,
  sla_ttr_name: text,
  satisfaction: z
    .preprocess((v) => (v === '' ? null : v), z.coerce.number().int().min(0).max(10).nullable())
    .optional()
    .transform((v) => v ?? null),
  followup_count: count('followup_count'),
  solution_count: count('solution_count'),
});

/**
 * A zod schema turning a raw GLPI ticket into a GlpiTicket, reading wall-clock datetimes in
 * `timezone`. Rejects, with a reason, what the warehouse must not receive: missing or invalid
 * opening date, codes out of range, solve/close before opening, negative delays.
 */
export function makeGlpiTicketRowSchema(timezone: string = DEFAULT_TZ) {
  const clock = zoneClock(timezone);
  return rawShape.transform((r, ctx): GlpiTicket => {
    const issue = (message: string, path: string) => ctx.issues.push({ code: 'custom', message, input: r, path: [path] });
    const toDate = (v: string | Date | null, field: string): Date | null => {
      if (v === null) return null;
      if (v instanceof Date) {
        if (Number.isFinite(v.getTime())) return v;
        issue(`${field} is an invalid date`, field);
        return null;
      }
      const t = clock.parse(v);
      if (t === null) issue(`${field} "${v}" is not a date-time 'YYYY-MM-DD HH:MM:SS'`, field);
      return t === null ? null : new Date(t);
    };
    const openedAt = toDate(r.date, 'date');
    if (r.date === null) issue('date (opening time) is missing', 'date');
    const solvedAt = toDate(r.solvedate, 'solvedate');
    const closedAt = toDate(r.closedate, 'closedate');
    const takenAt = toDate(r.takeintoaccountdate, 'takeintoaccountdate');
    const modifiedAt = toDate(r.date_mod, 'date_mod');
    const creationAt = toDate(r.date_creation, 'date_creation');
    const slaDueAt = toDate(r.time_to_resolve, 'time_to_resolve');
    const ownDueAt = toDate(r.time_to_own, 'time_to_own');
    if (openedAt) {
      const before = (d: Date | null, field: string, raw: string | Date | null) => {
        if (d && d.getTime() < openedAt.getTime()) issue(`${field} ${show(raw)} is before date ${show(r.date)}`, field);
      };
      before(solvedAt, 'solvedate', r.solvedate);
      before(closedAt, 'closedate', r.closedate);
    }
    if (ctx.issues.length) return z.NEVER;

    const status = r.status as GlpiStatus;
    const type = r.type as GlpiType;
    const priority = r.priority as GlpiPriority;
    return {
      id: r.id,
      title: r.name ?? '',
      openedAt: openedAt!,
      takenIntoAccountAt: takenAt,
      solvedAt,
      closedAt,
      modifiedAt: modifiedAt ?? creationAt ?? openedAt!,
      status,
      statusLabel: STATUS_LABELS[status],
      type,
      typeLabel: TYPE_LABELS[type],
      priority,
      priorityLabel: PRIORITY_LABELS[priority],
      urgency: r.urgency,
      impact: r.impact,
      category: r.category,
      entity: r.entity,
      entityName: r.entity_name,
      requesterGroup: r.requester_group,
      assignedGroup: r.assigned_group,
      technician: r.technician,
      slaDueAt,
      ownDueAt,
      slaName: r.sla_ttr_name,
      takeIntoAccountDelaySec: takenAt || r.takeintoaccount_delay_stat > 0 ? r.takeintoaccount_delay_stat : null,
      solveDelaySec: solvedAt ? r.solve_delay_stat : null,
      closeDelaySec: closedAt ? r.close_delay_stat : null,
      waitingSec: r.waiting_duration,
      satisfaction: r.satisfaction,
      followupCount: r.followup_count,
      solutionCount: r.solution_count,
    };
  });
}

/** The row schema for Europe/Istanbul wall-clock datetimes (GLPI's usual setting in Türkiye). */
export const glpiTicketRowSchema = makeGlpiTicketRowSchema(DEFAULT_TZ);

const schemas = new Map<string, ReturnType<typeof makeGlpiTicketRowSchema>>([[DEFAULT_TZ, glpiTicketRowSchema]]);

/** Validates one raw ticket; on failure `reason` lists every problem, '; '-separated. */
export function validateGlpiTicket(raw: unknown, timezone: string = DEFAULT_TZ): GlpiValidation {
  let schema = schemas.get(timezone);
  if (!schema) schemas.set(timezone, (schema = makeGlpiTicketRowSchema(timezone)));
  const parsed = schema.safeParse(raw);
  if (parsed.success) return { ok: true, row: parsed.data };
  return { ok: false, reason: formatIssues(parsed.error.issues) };
}

function formatIssues(issues: z.core.$ZodIssue[]): string {
  return issues
    .map((i) => {
      const field = i.path.length ? String(i.path[0]) : '';
      // Our own messages already name the field; zod's generic ones get it prefixed.
      return field && !i.message.startsWith(field) ? `${field}: ${i.message}` : i.message;
    })
    .join('; ');
}

function show(v: string | Date | null): string {
  return v instanceof Date ? v.toISOString() : String(v);
}
