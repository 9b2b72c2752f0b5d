import { z } from 'zod';
import type { AppDb } from '../common/db/app-db.js';
import { PanoError } from '../common/errors.js';
import { getReport } from '../common/definitions/reports/index.js';

/** A subscription: *when and to whom* a report goes (the report definition itself is pure data in reports/). */
export interface Subscription {
  id: number;
  reportId: string;
  name: string;
  cron: string;
  timezone: string;
  /** Whose permissions the report is rendered with: a PDF never shows more than this user sees in the portal. */
  ownerUsername: string;
  recipients: string[];
  format: string;
  holdOnFailedSources: boolean;
  active: boolean;
}

export interface SubscriptionRow {
  id: number;
  report_id: string;
  name: string;
  cron: string;
  timezone: string;
  owner_username: string;
  recipients_json: string;
  format: string;
  hold_on_failed_sources: number | boolean;
  active: number | boolean;
}

const recipientsSchema = z.array(z.string().trim().min(3)).min(1, 'at least one recipient');

/** Parses a row; a malformed recipients list is an error naming the subscription. */
export function parseSubscription(row: SubscriptionRow): Subscription {
  let recipients: string[];
  try {
    recipients = recipientsSchema.parse(JSON.parse(row.recipients_json));
  } catch (e) {
    throw new PanoError(`Subscription ${row.id} (${row.name}): recipients_json must be a JSON array of e-mail addresses`, {
      code: 'subscription_invalid',
      cause: e,
    });
  }
  return {
    id: Number(row.id),
    reportId: row.report_id,
    name: row.name,
    cron: row.cron,
    timezone: row.timezone,
    ownerUsername: row.owner_username,
    recipients,
    format: row.format,
    holdOnFailedSources: Boolean(row.hold_on_failed_sources),
    active: Boolean(row.active),
  };
}

export async function loadSubscriptionRows(db: AppDb, opts: { activeOnly?: boolean } = {}): Promise<SubscriptionRow[]> {
  const q = db<SubscriptionRow>('subscriptions').select('*').orderBy('id');
  if (opts.activeOnly ?? true) q.where('active', true);
  return q;
}

export async function getSubscription(db: AppDb, id: number): Promise<Subscription | undefined> {
  const row = await db<SubscriptionRow>('subscriptions').where({ id }).first();
  return row ? parseSubscription(row) : undefined;
}

export const DEFAULT_SUBSCRIPTION_REPORT_ID = 'helpdesk-weekly';
export const DEFAULT_SUBSCRIPTION_OWNER = 'mudur';

/**
 * First start: when there is no subscription at all, subscribe the director to the weekly helpdesk report.
 * Returns the new subscription's id, or null when subscriptions already exist (nothing is changed then).
 */
export async function seedDefaultSubscriptions(db: AppDb, opts: { directorEmail: string; cron: string; timezone: string }): Promise<number | null> {
  const [{ n }] = (await db('subscriptions').count({ n: '*' })) as Array<{ n: number | string }>;
  if (Number(n) > 0) return null;
  const name = getReport(DEFAULT_SUBSCRIPTION_REPORT_ID)?.title.tr ?? 'Yardım Masası Haftalık Raporu';
  const inserted = await db('subscriptions').insert(
    {
      report_id: DEFAULT_SUBSCRIPTION_REPORT_ID,
      name,
      cron: opts.cron,
      timezone: opts.timezone,
      owner_username: DEFAULT_SUBSCRIPTION_OWNER,
      recipients_json: JSON.stringify([opts.directorEmail]),
      format: 'pdf',
      hold_on_failed_sources: false,
      active: true,
    },
    ['id'],
  );
  const first = inserted[0] as { id: number } | number;
  return typeof first === 'object' ? Number(first.id) : Number(first);
}
