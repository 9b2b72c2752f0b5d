import crypto from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AppDb } from '../../common/db/app-db.js';
import { DeliveryError } from '../../common/errors.js';
import { backoffDelay, shouldRetry } from '../../common/backoff.js';
import { deliverRun, listDeliveries, recordRunFailure, type OutgoingMail, type SendMail } from '../../scheduler/index.js';
import { captureLogger, insertUser, tempAppDb } from './helpers.js';

const PDF = Buffer.from('%PDF-1.4 test report\n');
const PDF_SHA = crypto.createHash('sha256').update(PDF).digest('hex');
const MAIL = { subject: 'Yardım Masası Haftalık Raporu — 30.11.2026', text: 'Merhaba', html: '<p>Merhaba</p>' };

const transient = () => new DeliveryError('SMTP 127.0.0.1:25 ECONNECTION: connect ECONNREFUSED', { retryable: true });
const permanent = () => new DeliveryError('SMTP 127.0.0.1:25 answered 550: 550 mailbox unavailable', { retryable: false });

/** A send that plays a script per recipient: 'ok', 'T' (transient failure), 'P' (permanent), 'E' (plain Error). */
function scriptedSend(script: Record<string, string[]>, defaultStep = 'ok') {
  const calls: OutgoingMail[] = [];
  const cursor: Record<string, number> = {};
  const send: SendMail = async (mail) => {
    calls.push(mail);
    const i = (cursor[mail.to] = (cursor[mail.to] ?? 0) + 1) - 1;
    const step = script[mail.to]?.[i] ?? defaultStep;
    if (step === 'T') throw transient();
    if (step === 'P') throw permanent();
    if (step === 'E') throw new Error('unexpected bug');
    return { messageId: `<${mail.to}-${i}@pano>`, response: '250 OK: queued' };
  };
  return { send, calls, to: (r: string) => calls.filter((c) => c.to === r) };
}

describe('backoff and the retry decision', () => {
  it.each([
    // attempt, random → delay with base 1000, max 30000 (equal jitter: half fixed, half random)
    [1, 0, 500],
    [1, 0.999, 1000],
    [2, 0, 1000],
    [3, 0.5, 3000],
    [10, 0, 15000], // capped at max
    [10, 0.999, 29985],
  ])('attempt %i with random %d waits %i ms', (attempt, random, expected) => {
    expect(backoffDelay(attempt, { baseMs: 1000, maxMs: 30000, random: () => random })).toBe(expected);
  });

  it.each([
    ['retryable, attempts left', transient(), 1, 3, true],
    ['retryable, last attempt', transient(), 3, 3, false],
    ['permanent, attempts left', permanent(), 1, 3, false],
    ['plain Error (does not say retryable)', new Error('x'), 1, 3, false],
    ['retryable, no retries configured', transient(), 1, 1, false],
  ])('%s → retry=%s', (_n, error, attempt, max, expected) => {
    expect(shouldRetry(error, attempt, max)).toBe(expected);
  });
});

describe('deliverRun', () => {
  let db: AppDb;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    ({ db, cleanup } = await tempAppDb());
  });
  afterEach(async () => cleanup());

  const run = (send: SendMail, extra: Partial<Parameters<typeof deliverRun>[0]> = {}) => {
    const sleeps: number[] = [];
    const result = deliverRun({
      db,
      runKey: '1@2026-11-30T05:00:00.000Z',
      reportId: 'helpdesk-weekly',
      recipients: ['mudur@sultanbeyli.bel.tr'],
      pdf: PDF,
      filename: 'yardim-masasi-haftalik-2026-11-30.pdf',
      mail: MAIL,
      send,
      retries: 2,
      sleep: async (ms) => void sleeps.push(ms),
      backoff: { baseMs: 1000, maxMs: 60000, random: () => 0.5 },
      ...extra,
    });
    return { result, sleeps };
  };

  // The failure policy as a truth table: what the server answers per attempt → final status, send calls, sleeps.
  it.each([
    { script: ['ok'], retries: 2, status: 'sent', sends: 1, sleeps: [] },
    { script: ['T', 'ok'], retries: 2, status: 'sent', sends: 2, sleeps: [750] },
    { script: ['T', 'T', 'ok'], retries: 2, status: 'sent', sends: 3, sleeps: [750, 1500] },
    { script: ['T', 'T', 'T'], retries: 2, status: 'failed', sends: 3, sleeps: [750, 1500] },
    { script: ['T', 'T', 'T', 'ok'], retries: 3, status: 'sent', sends: 4, sleeps: [750, 1500, 3000] },
    { script: ['P'], retries: 2, status: 'failed', sends: 1, sleeps: [] },
    { script: ['T', 'P'], retries: 2, status: 'failed', sends: 2, sleeps: [750] },
    { script: ['E'], retries: 2, status: 'failed', sends: 1, sleeps: [] },
    { script: ['T'], retries: 0, status: 'failed', sends: 1, sleeps: [] },
  ])('answers $script with $retries retries → $status after $sends send(s)', async ({ script, retries, status, sends, sleeps }) => {
    const s = scriptedSend({ 'mudur@sultanbeyli.bel.tr': script }, 'T');
    const { result, sleeps: slept } = run(s.send, { retries });
    const r = await result;
    expect(s.calls).toHaveLength(sends);
    expect(slept).toEqual(sleeps);
    expect(r.outcomes).toEqual([expect.objectContaining({ recipient: 'mudur@sultanbeyli.bel.tr', status, attempts: sends })]);
    const [row] = await listDeliveries(db, '1@2026-11-30T05:00:00.000Z');
    expect(row).toMatchObject({ status, attempts: sends, pdf_sha256: PDF_SHA, report_id: 'helpdesk-weekly' });
    if (status === 'sent') {
      expect(row).toMatchObject({ error: null, smtp_response: '250 OK: queued', message_id: expect.stringMatching(/^<mudur@/) });
    } else {
      expect(row!.error).toMatch(/SMTP 127\.0\.0\.1:25|unexpected bug/);
    }
  });

  it('running the same run key twice sends once per recipient', async () => {
    const recipients = ['mudur@sultanbeyli.bel.tr', 'Yardimci@Sultanbeyli.bel.tr', 'mudur@sultanbeyli.bel.tr '];
    const s = scriptedSend({});
    const { logger, events } = captureLogger();
    const first = await run(s.send, { recipients, logger }).result;
    expect(first).toMatchObject({ sent: 2, skipped: 0, failed: 0 });
    const second = await run(s.send, { recipients, logger }).result;
    expect(second).toMatchObject({ sent: 0, skipped: 2, failed: 0 });
    expect(s.calls.map((c) => c.to).sort()).toEqual(['mudur@sultanbeyli.bel.tr', 'yardimci@sultanbeyli.bel.tr']);
    expect(s.calls[0]!.attachment).toMatchObject({ filename: 'yardim-masasi-haftalik-2026-11-30.pdf', content: PDF });
    expect(events('scheduler.delivery.sent')).toHaveLength(2);
    expect(events('scheduler.delivery.sent')[0]).toMatchObject({
      report_id: 'helpdesk-weekly',
      run_key: '1@2026-11-30T05:00:00.000Z',
      recipient: 'mudur@sultanbeyli.bel.tr',
    });
    expect(events('scheduler.delivery.skipped')).toHaveLength(2);
    expect(await db('deliveries').count({ n: '*' })).toEqual([{ n: 2 }]);
  });

  it('partial failure, then a re-run sends only to the one who did not get it', async () => {
    const recipients = ['a@sultanbeyli.bel.tr', 'b@sultanbeyli.bel.tr', 'c@sultanbeyli.bel.tr'];
    const { logger, events } = captureLogger();
    const down = scriptedSend({ 'b@sultanbeyli.bel.tr': ['T', 'T', 'T'] });
    const first = await run(down.send, { recipients, logger }).result;
    expect(first).toMatchObject({ sent: 2, failed: 1 });
    expect(events('scheduler.delivery.failed')).toEqual([
      expect.objectContaining({ recipient: 'b@sultanbeyli.bel.tr', run_key: '1@2026-11-30T05:00:00.000Z', report_id: 'helpdesk-weekly', attempts: 3 }),
    ]);
    expect(await db('deliveries').where({ recipient: 'b@sultanbeyli.bel.tr' }).first()).toMatchObject({ status: 'failed', attempts: 3 });

    const up = scriptedSend({});
    const second = await run(up.send, { recipients, logger }).result;
    expect(second).toMatchObject({ sent: 1, skipped: 2, failed: 0 });
    expect(up.calls.map((c) => c.to)).toEqual(['b@sultanbeyli.bel.tr']);
    const rows = await listDeliveries(db, '1@2026-11-30T05:00:00.000Z');
    expect(rows.map((r) => [r.recipient, r.status, r.attempts, r.error])).toEqual([
      ['a@sultanbeyli.bel.tr', 'sent', 1, null],
      ['b@sultanbeyli.bel.tr', 'sent', 4, null], // 3 failed attempts in the first run + 1 now
      ['c@sultanbeyli.bel.tr', 'sent', 1, null],
    ]);
  });

  it('a final failure reaches the administrators and the audit log', async () => {
    await insertUser(db, { username: 'admin', role: 'admin', email: 'bilgiislem@sultanbeyli.bel.tr' });
    await insertUser(db, { username: 'admin2', role: 'admin', email: null });
    await insertUser(db, { username: 'eski', role: 'admin', email: 'eski@sultanbeyli.bel.tr', active: false });
    await insertUser(db, { username: 'analist', role: 'analyst', email: 'analist@sultanbeyli.bel.tr' });
    const s = scriptedSend({ 'mudur@sultanbeyli.bel.tr': ['P'] });
    const r = await run(s.send, { reportTitle: 'Yardım Masası Haftalık Raporu', scheduledAt: new Date('2026-11-30T05:00:00Z') }).result;
    expect(r.adminNotification).toEqual({ notified: ['bilgiislem@sultanbeyli.bel.tr'], errors: [] });
    const notice = s.to('bilgiislem@sultanbeyli.bel.tr')[0]!;
    expect(notice.subject).toBe('Pano: rapor gönderilemedi — Yardım Masası Haftalık Raporu — 30.11.2026');
    expect(notice.text).toContain('mudur@sultanbeyli.bel.tr (1 deneme): SMTP 127.0.0.1:25 answered 550');
    expect(notice.attachment).toBeUndefined();
    expect(s.calls.map((c) => c.to).sort()).toEqual(['bilgiislem@sultanbeyli.bel.tr', 'mudur@sultanbeyli.bel.tr']);

    const audit = await db('audit_log').where({ action: 'report.delivery_failed' });
    expect(audit).toHaveLength(1);
    expect(JSON.parse(audit[0].detail_json)).toMatchObject({
      report_id: 'helpdesk-weekly',
      run_key: '1@2026-11-30T05:00:00.000Z',
      failures: [{ recipient: 'mudur@sultanbeyli.bel.tr', attempts: 1, error: expect.stringContaining('550') }],
      admins_notified: ['bilgiislem@sultanbeyli.bel.tr'],
    });
  });

  it('the audit entry is written even when the administrators cannot be mailed either', async () => {
    await insertUser(db, { username: 'admin', role: 'admin', email: 'bilgiislem@sultanbeyli.bel.tr' });
    const s = scriptedSend({}, 'T');
    const r = await run(s.send, { retries: 1 }).result;
    expect(r.failed).toBe(1);
    expect(r.adminNotification).toMatchObject({ notified: [], errors: [{ to: 'bilgiislem@sultanbeyli.bel.tr' }] });
    const [entry] = await db('audit_log').where({ action: 'report.delivery_failed' });
    expect(JSON.parse(entry.detail_json).admin_notify_errors).toHaveLength(1);
  });

  it('no mail and no audit entry when everything went out', async () => {
    await insertUser(db, { username: 'admin', role: 'admin', email: 'bilgiislem@sultanbeyli.bel.tr' });
    const s = scriptedSend({});
    await run(s.send).result;
    expect(s.calls.map((c) => c.to)).toEqual(['mudur@sultanbeyli.bel.tr']);
    expect(await db('audit_log').count({ n: '*' })).toEqual([{ n: 0 }]);
  });

  it('an address that cannot be an address fails without a send', async () => {
    const s = scriptedSend({});
    const r = await run(s.send, { recipients: ['not-an-address', 'mudur@sultanbeyli.bel.tr'] }).result;
    expect(r.outcomes.map((o) => [o.recipient, o.status])).toEqual([
      ['not-an-address', 'failed'],
      ['mudur@sultanbeyli.bel.tr', 'sent'],
    ]);
    expect(s.calls.map((c) => c.to)).toEqual(['mudur@sultanbeyli.bel.tr']);
  });

  it('recordRunFailure marks everyone without the report as failed, with the reason', async () => {
    const s = scriptedSend({});
    await run(s.send, { recipients: ['a@sultanbeyli.bel.tr'] }).result; // a already has it
    const r = await recordRunFailure({
      db,
      runKey: '1@2026-11-30T05:00:00.000Z',
      reportId: 'helpdesk-weekly',
      recipients: ['a@sultanbeyli.bel.tr', 'b@sultanbeyli.bel.tr'],
      error: new Error('print page never became ready'),
      send: s.send,
    });
    expect(r).toMatchObject({ failed: 1, skipped: 1 });
    const rows = await listDeliveries(db, '1@2026-11-30T05:00:00.000Z');
    expect(rows.map((x) => [x.recipient, x.status, x.error])).toEqual([
      ['a@sultanbeyli.bel.tr', 'sent', null],
      ['b@sultanbeyli.bel.tr', 'failed', 'Rapor oluşturulamadı: print page never became ready'],
    ]);
    expect(await db('audit_log').where({ action: 'report.delivery_failed' }).count({ n: '*' })).toEqual([{ n: 1 }]);
  });
});
