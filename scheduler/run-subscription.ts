import type { AppDb } from '../common/db/app-db.js';
import { PanoError, ReportError, errorMessage } from '../common/errors.js';
import { silentLogger, type Logger } from '../common/logger.js';
import { reportFileName } from '../common/definitions/file-name.js';
import { getReport } from '../common/definitions/reports/index.js';
import { deliverRun, normalizeRecipients, recordRunFailure, type DeliverRunResult } from './delivery/ledger.js';
import { composeReportMail } from './delivery/mail-content.js';
import type { SendMail } from './delivery/mailer.js';
import type { BackoffOptions, Sleep } from '../common/backoff.js';
import type { Subscription } from './subscriptions.js';
import { DEFAULT_TIMEZONE } from '../common/definitions/timezone.js';

/**
 * One run of one subscription: render the report once, with the subscription owner's permissions, and
 * deliver that one PDF to every recipient through the ledger.
 *
 * The render is injected: the caller (the lead's wiring) renders `/print/reports/<id>` on the running server
 * with a token minted for `ownerUsername`, so the PDF shows exactly what that user may see (DESIGN 6).
 * If the render fails, every recipient who does not have the report yet gets a `failed` ledger row with
 * the reason, administrators are told, and the run fails; the next occurrence renders again.
 */

export interface SubscriptionRendererPort {
  render(reportId: string, ownerUsername: string): Promise<{ pdf: Buffer; pages: number }>;
}

export interface CreateSubscriptionRunnerOptions {
  db: AppDb;
  logger?: Logger;
  renderer: SubscriptionRendererPort;
  sendMail: SendMail;
  /** Mail retries per recipient (PanoConfig.mail.retries). */
  retries: number;
  sleep?: Sleep;
  backoff?: BackoffOptions;
  /** When the data was last refreshed (ISO instant or text), for the mail; null if unknown. */
  dataAsOf?: () => string | null | Promise<string | null>;
  /**
   * Sources whose last load failed (from the ETL run log, wired by the caller). A subscription with
   * `holdOnFailedSources` is then held (ledger status `held`, administrators told); others are sent with a
   * warning in the mail. Without this hook nothing is held.
   */
  sourceHealth?: () => { failedSources: string[] } | Promise<{ failedSources: string[] }>;
  /** Business time zone of a subscription that names none (PANO_TIMEZONE). Default DEFAULT_TIMEZONE. */
  timezone?: string;
}

export interface RunSummary {
  runKey: string;
  subscriptionId: number;
  reportId: string;
  /** rendered: a PDF was made; already_delivered: everyone had it, nothing rendered; held: sources failed. */
  stage: 'rendered' | 'already_delivered' | 'render_failed' | 'held';
  pages: number | null;
  filename: string | null;
  sent: number;
  skipped: number;
  failed: number;
  delivery: DeliverRunResult | null;
}

/** The run failed (render failed, or some recipient did not get the mail); everything is already recorded. */
export class SubscriptionRunError extends PanoError {
  readonly summary: RunSummary;
  constructor(message: string, summary: RunSummary, opts: { retryable?: boolean; cause?: unknown } = {}) {
    super(message, { code: 'subscription_run_failed', retryable: opts.retryable ?? true, cause: opts.cause });
    this.summary = summary;
  }
}

export type SubscriptionRunner = (subscription: Subscription, runKey: string, scheduledAt: Date, context?: { signal?: AbortSignal }) => Promise<RunSummary>;

export function createSubscriptionRunner(opts: CreateSubscriptionRunnerOptions): SubscriptionRunner {
  const log = opts.logger ?? silentLogger;

  return async function runSubscription(subscription, runKey, scheduledAt, context = {}) {
    const fields = { subscription_id: subscription.id, report_id: subscription.reportId, run_key: runKey };
    const recipients = normalizeRecipients(subscription.recipients);
    const timezone = subscription.timezone || opts.timezone || DEFAULT_TIMEZONE;
    const definition = getReport(subscription.reportId);
    const reportTitle = definition?.title.tr ?? subscription.name;
    const summary: RunSummary = {
      runKey,
      subscriptionId: subscription.id,
      reportId: subscription.reportId,
      stage: 'rendered',
      pages: null,
      filename: null,
      sent: 0,
      skipped: 0,
      failed: 0,
      delivery: null,
    };

    // A repeated run where everyone already has the report: do not even render.
    const alreadySent = await opts.db('deliveries').where({ run_key: runKey, status: 'sent' }).whereIn('recipient', recipients).count({ n: '*' });
    if (recipients.length > 0 && Number((alreadySent[0] as { n: number | string }).n) === recipients.length) {
      log.info({ ...fields, recipients: recipients.length }, 'scheduler.run.already_delivered');
      return { ...summary, stage: 'already_delivered', skipped: recipients.length };
    }

    const fail = async (error: unknown): Promise<never> => {
      const result = await recordRunFailure({
        db: opts.db,
        runKey,
        subscription,
        reportId: subscription.reportId,
        recipients,
        error,
        send: opts.sendMail,
        logger: log,
        reportTitle,
        scheduledAt,
        timezone,
      });
      const failed: RunSummary = { ...summary, stage: 'render_failed', skipped: result.skipped, failed: result.failed, delivery: result };
      throw new SubscriptionRunError(`Run ${runKey}: ${errorMessage(error)}`, failed, {
        retryable: (error as { retryable?: boolean })?.retryable ?? false,
        cause: error,
      });
    };

    if (!definition) return fail(new ReportError(`Unknown report "${subscription.reportId}"`, { code: 'report_not_found' }));
    if (subscription.format !== 'pdf')
      return fail(new ReportError(`Format "${subscription.format}" is not supported (only pdf)`, { code: 'report_format_unsupported' }));

    let failedSources: string[] = [];
    if (opts.sourceHealth) {
      try {
        failedSources = (await opts.sourceHealth()).failedSources;
      } catch (e) {
        log.warn({ ...fields, err: errorMessage(e) }, 'scheduler.run.source_health_unknown');
      }
    }
    if (failedSources.length > 0 && subscription.holdOnFailedSources) {
      const reason = `Rapor bekletildi: şu kaynakların son yüklemesi başarısız: ${failedSources.join(', ')}`;
      log.warn({ ...fields, failed_sources: failedSources }, 'scheduler.run.held');
      const result = await recordRunFailure({
        db: opts.db,
        runKey,
        subscription,
        reportId: subscription.reportId,
        recipients,
        error: new Error(reason),
        status: 'held',
        send: opts.sendMail,
        logger: log,
        reportTitle,
        scheduledAt,
        timezone,
      });
      throw new SubscriptionRunError(
        `Run ${runKey}: ${reason}`,
        { ...summary, stage: 'held', skipped: result.skipped, failed: result.failed, delivery: result },
        { retryable: true },
      );
    }

    const renderStarted = Date.now();
    let rendered: { pdf: Buffer; pages: number };
    try {
      rendered = await opts.renderer.render(subscription.reportId, subscription.ownerUsername);
    } catch (e) {
      log.error({ ...fields, owner: subscription.ownerUsername, err: errorMessage(e) }, 'scheduler.run.render_failed');
      return fail(e);
    }
    log.info({ ...fields, pages: rendered.pages, bytes: rendered.pdf.length, duration_ms: Date.now() - renderStarted }, 'scheduler.run.rendered');
    if (context.signal?.aborted) {
      // The run is past its time limit: do not start mailing a run the scheduler already gave up on.
      return fail(context.signal.reason ?? new PanoError('Run aborted', { code: 'job_timeout', retryable: true }));
    }

    const filename = reportFileName(subscription.reportId, scheduledAt, timezone);
    let dataAsOf: string | null = null;
    try {
      dataAsOf = (await opts.dataAsOf?.()) ?? null;
    } catch (e) {
      log.warn({ ...fields, err: errorMessage(e) }, 'scheduler.run.data_as_of_unknown');
    }
    const mail = composeReportMail({ reportTitle, date: scheduledAt, timezone, filename, pages: rendered.pages, dataAsOf, failedSources });
    const delivery = await deliverRun({
      db: opts.db,
      runKey,
      subscription,
      reportId: subscription.reportId,
      recipients,
      pdf: rendered.pdf,
      filename,
      mail,
      send: opts.sendMail,
      retries: opts.retries,
      sleep: opts.sleep,
      backoff: opts.backoff,
      logger: log,
      reportTitle,
      scheduledAt,
      timezone,
    });
    const done: RunSummary = {
      ...summary,
      pages: rendered.pages,
      filename,
      sent: delivery.sent,
      skipped: delivery.skipped,
      failed: delivery.failed,
      delivery,
    };
    if (delivery.failed > 0) {
      const retryable = delivery.outcomes.some((o) => o.status === 'failed' && o.retryable);
      throw new SubscriptionRunError(`Run ${runKey}: ${delivery.failed} of ${recipients.length} recipients did not get the report`, done, { retryable });
    }
    return done;
  };
}
