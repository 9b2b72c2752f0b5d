import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AppDb } from '../../common/db/app-db.js';
import { DeliveryError, ReportError } from '../../common/errors.js';
import {
  createSubscriptionRunner,
  getSubscription,
  listDeliveries,
  SubscriptionRunError,
  type OutgoingMail,
  type SendMail,
  type Subscription,
} from '../../scheduler/index.js';
import { captureLogger, insertSubscription, insertUser, tempAppDb } from './helpers.js';

const PDF = Buffer.from('%PDF-1.7 fake\n');
const RUN_KEY = '1@2026-11-30T05:00:00.000Z';
const AT = new Date('2026-11-30T05:00:00Z');

describe('createSubscriptionRunner', () => {
  let db: AppDb;
  let cleanup: () => Promise<void>;
  let sub: Subscription;
  let sent: OutgoingMail[];
  let renders: Array<[string, string]>;
  beforeEach(async () => {
    ({ db, cleanup } = await tempAppDb());
    const id = await insertSubscription(db, { recipients: ['mudur@sultanbeyli.bel.tr', 'yardimci@sultanbeyli.bel.tr'] });
    sub = (await getSubscription(db, id))!;
    sent = [];
    renders = [];
  });
  afterEach(async () => cleanup());

  const okSend: SendMail = async (m) => {
    sent.push(m);
    return { messageId: `<${sent.length}@pano>`, response: '250 OK' };
  };
  const okRenderer = {
    async render(reportId: string, owner: string) {
      renders.push([reportId, owner]);
      return { pdf: PDF, pages: 2 };
    },
  };

  it('renders once with the owner’s permissions and mails that PDF to every recipient', async () => {
    const { logger, events } = captureLogger();
    const run = createSubscriptionRunner({ db, logger, renderer: okRenderer, sendMail: okSend, retries: 2, dataAsOf: () => '2026-11-30T04:45:00Z' });
    const summary = await run(sub, RUN_KEY, AT);
    expect(renders).toEqual([['helpdesk-weekly', 'mudur']]);
    expect(summary).toMatchObject({ stage: 'rendered', pages: 2, filename: 'yardim-masasi-haftalik-2026-11-30.pdf', sent: 2, failed: 0 });
    expect(sent.map((m) => m.to)).toEqual(['mudur@sultanbeyli.bel.tr', 'yardimci@sultanbeyli.bel.tr']);
    expect(sent[0]).toMatchObject({
      subject: 'Yardım Masası Haftalık Raporu — 30.11.2026',
      attachment: { filename: 'yardim-masasi-haftalik-2026-11-30.pdf', content: PDF },
    });
    expect(sent[0]!.text).toContain('30.11.2026 07:45 itibarıyla');
    expect(sent[0]!.text).toContain('2 sayfa');
    expect(events('scheduler.run.rendered')[0]).toMatchObject({ run_key: RUN_KEY, pages: 2 });
  });

  it('a repeated run where everyone has the report renders nothing and sends nothing', async () => {
    const run = createSubscriptionRunner({ db, renderer: okRenderer, sendMail: okSend, retries: 2 });
    await run(sub, RUN_KEY, AT);
    const again = await run(sub, RUN_KEY, AT);
    expect(again).toMatchObject({ stage: 'already_delivered', skipped: 2, sent: 0 });
    expect(renders).toHaveLength(1);
    expect(sent).toHaveLength(2);
  });

  it('a failed render is recorded as failed for each recipient, told to admins, and the run fails', async () => {
    await insertUser(db, { username: 'admin', role: 'admin', email: 'bilgiislem@sultanbeyli.bel.tr' });
    const { logger, events } = captureLogger();
    const renderer = {
      async render() {
        throw new ReportError('Report helpdesk-weekly: the print page reported an error: unauthorized', { code: 'report_unauthorized' });
      },
    };
    const run = createSubscriptionRunner({ db, logger, renderer, sendMail: okSend, retries: 2 });
    const err = await run(sub, RUN_KEY, AT).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SubscriptionRunError);
    expect(err).toMatchObject({ retryable: false, summary: { stage: 'render_failed', failed: 2 } });
    const rows = await listDeliveries(db, RUN_KEY);
    expect(rows.map((r) => [r.recipient, r.status, r.attempts])).toEqual([
      ['mudur@sultanbeyli.bel.tr', 'failed', 0],
      ['yardimci@sultanbeyli.bel.tr', 'failed', 0],
    ]);
    expect(rows[0]!.error).toBe('Rapor oluşturulamadı: Report helpdesk-weekly: the print page reported an error: unauthorized');
    expect(sent.map((m) => m.to)).toEqual(['bilgiislem@sultanbeyli.bel.tr']); // only the admin notice, no report
    expect(events('scheduler.run.render_failed')).toHaveLength(1);

    // The next attempt of the same run renders again and delivers to everyone.
    const ok = createSubscriptionRunner({ db, renderer: okRenderer, sendMail: okSend, retries: 2 });
    expect(await ok(sub, RUN_KEY, AT)).toMatchObject({ sent: 2 });
    expect((await listDeliveries(db, RUN_KEY)).map((r) => r.status)).toEqual(['sent', 'sent']);
  });

  it('a recipient that could not be reached fails the run (retryable) after the others got it', async () => {
    const send: SendMail = async (m) => {
      if (m.to.startsWith('yardimci')) throw new DeliveryError('SMTP x:25 ECONNECTION: down', { retryable: true });
      return okSend(m);
    };
    const run = createSubscriptionRunner({ db, renderer: okRenderer, sendMail: send, retries: 1, sleep: async () => undefined });
    const err = await run(sub, RUN_KEY, AT).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SubscriptionRunError);
    expect(err).toMatchObject({ retryable: true, summary: { sent: 1, failed: 1 } });
  });

  it('an unknown report or format fails without rendering', async () => {
    const run = createSubscriptionRunner({ db, renderer: okRenderer, sendMail: okSend, retries: 0 });
    await expect(run({ ...sub, reportId: 'no-such-report' }, RUN_KEY, AT)).rejects.toMatchObject({ cause: { code: 'report_not_found' } });
    await expect(run({ ...sub, format: 'xlsx' }, '1@2026-12-07T05:00:00.000Z', AT)).rejects.toMatchObject({ cause: { code: 'report_format_unsupported' } });
    expect(renders).toHaveLength(0);
  });

  it.each([
    { hold: true, failedSources: ['glpi'], stage: 'held', mails: 0, rowStatus: 'held' },
    { hold: false, failedSources: ['glpi'], stage: 'rendered', mails: 2, rowStatus: 'sent' },
    { hold: true, failedSources: [], stage: 'rendered', mails: 2, rowStatus: 'sent' },
  ])('failed sources $failedSources with hold=$hold → $stage, $mails report mails', async ({ hold, failedSources, stage, mails, rowStatus }) => {
    await insertUser(db, { username: 'admin', role: 'admin', email: 'bilgiislem@sultanbeyli.bel.tr' });
    const run = createSubscriptionRunner({ db, renderer: okRenderer, sendMail: okSend, retries: 0, sourceHealth: async () => ({ failedSources }) });
    const result = await run({ ...sub, holdOnFailedSources: hold }, RUN_KEY, AT).then(
      (r) => r,
      (e: SubscriptionRunError) => e.summary,
    );
    expect(result.stage).toBe(stage);
    const reports = sent.filter((m) => m.attachment);
    expect(reports).toHaveLength(mails);
    expect(renders).toHaveLength(stage === 'held' ? 0 : 1);
    const rows = await listDeliveries(db, RUN_KEY);
    expect(rows.map((r) => r.status)).toEqual([rowStatus, rowStatus]);
    if (stage === 'held') {
      expect(rows[0]!.error).toBe('Rapor bekletildi: şu kaynakların son yüklemesi başarısız: glpi');
      expect(sent.map((m) => m.to)).toEqual(['bilgiislem@sultanbeyli.bel.tr']); // the admin is told
    } else if (failedSources.length) {
      expect(reports[0]!.text).toContain('Uyarı: şu kaynakların son yüklemesi başarısız oldu: glpi.');
    } else {
      expect(reports[0]!.text).not.toContain('Uyarı');
    }
  });

  it('does not start mailing when the scheduler gave up on the run (aborted during render)', async () => {
    const controller = new AbortController();
    const renderer = {
      async render() {
        controller.abort(new Error('Run exceeded the time limit'));
        return { pdf: PDF, pages: 1 };
      },
    };
    const run = createSubscriptionRunner({ db, renderer, sendMail: okSend, retries: 0 });
    await expect(run(sub, RUN_KEY, AT, { signal: controller.signal })).rejects.toBeInstanceOf(SubscriptionRunError);
    expect(sent).toHaveLength(0);
    expect((await listDeliveries(db, RUN_KEY))[0]!.error).toContain('time limit');
  });
});
