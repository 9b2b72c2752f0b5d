import type { PanoConfig } from '../../common/config.js';
import { openAppDb, type AppDb } from '../../common/db/app-db.js';
import { PanoError } from '../../common/errors.js';
import type { Logger } from '../../common/logger.js';
import { findUser } from '../../common/users.js';
import { ReportRenderer, getReport, reportFileName } from '../../reports/index.js';
import {
  createMailer,
  createSubscriptionRunner,
  deliverRun,
  composeReportMail,
  seedDefaultSubscriptions,
  startDemoMailbox,
  startScheduler,
  type DemoMailbox,
  type Subscription,
  type DeliveryOutcome,
} from '../../scheduler/index.js';
import { issueToken } from './auth.js';
import { startServer, type RunningServer } from './index.js';

/**
 * The whole running Pano: API + portal, one warm Chromium for PDFs, the mailer (in demo mode Pano's own
 * local mailbox), and the scheduler. Reports are rendered through the running server's print pages with a
 * short-lived token of the subscription owner, so a PDF never shows more than its owner may see.
 */
export interface RunningPano {
  server: RunningServer;
  publicUrl: string;
  mailboxDir: string | undefined;
  smtpUrl: string;
  renderer: ReportRenderer;
  renderForUser(reportId: string, username: string): Promise<{ pdf: Buffer; pages: number }>;
  /** Runs one subscription now, as the scheduler would at `scheduledAt` (render once, deliver via the ledger). */
  runSubscription(subscription: Subscription, runKey: string, scheduledAt: Date): Promise<unknown>;
  close(): Promise<void>;
}

export async function startPano(
  config: PanoConfig,
  logger: Logger,
  opts: { port?: number; scheduler?: boolean; appDb?: AppDb; mailbox?: boolean } = {},
): Promise<RunningPano> {
  let mailbox: DemoMailbox | undefined;
  if (opts.mailbox !== false && config.mode === 'demo' && !process.env.PANO_SMTP_URL) {
    try {
      mailbox = await startDemoMailbox({ port: config.mail.demoSmtpPort, dir: config.mail.mailboxDir, timezone: config.timezone, logger });
    } catch (e) {
      // Another Pano on this machine already runs the demo mailbox: deliver to it.
      if ((e as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw e;
      logger.info({ port: config.mail.demoSmtpPort }, 'mail.demo_mailbox.shared');
    }
  }
  const smtpUrl = mailbox ? `smtp://127.0.0.1:${mailbox.port}` : config.mail.smtpUrl;
  const server = await startServer(config, logger, { port: opts.port, appDb: opts.appDb });
  const renderer = new ReportRenderer({ chromiumPath: config.reports.chromiumPath, timeoutMs: config.reports.timeoutMs, timezone: config.timezone, logger });
  const mailer = createMailer({ smtpUrl, from: config.mail.from });
  const db = server.appDb;

  const renderForUser = async (reportId: string, username: string) => {
    if (!getReport(reportId)) throw new PanoError(`Unknown report "${reportId}"`, { code: 'report_unknown' });
    const user = await findUser(db, username);
    if (!user || !user.active) throw new PanoError(`Cannot render "${reportId}" as "${username}": no such active user`, { code: 'report_owner_missing' });
    const token = issueToken(user, config.auth.jwtSecret, '15m');
    return renderer.render({ baseUrl: server.url, reportId, token });
  };

  await seedDefaultSubscriptions(db, { directorEmail: config.scheduler.directorEmail, cron: config.scheduler.helpdeskWeeklyCron, timezone: config.timezone });
  const runSubscription = createSubscriptionRunner({
    db,
    logger,
    renderer: { render: renderForUser },
    sendMail: mailer.sendReportMail,
    retries: config.mail.retries,
    timezone: config.timezone,
    dataAsOf: () => server.reader.manifest()?.sources.find((s) => s.source === 'glpi')?.dataAsOf ?? null,
    sourceHealth: () => ({ failedSources: (server.reader.manifest()?.sources ?? []).filter((s) => s.status === 'failed').map((s) => s.title) }),
  });
  const scheduler = opts.scheduler !== false ? await startScheduler({ db, logger, timezone: config.timezone, runSubscription }) : undefined;

  return {
    server,
    publicUrl: config.server.publicUrl.replace(/:4000$/, `:${new URL(server.url).port}`),
    mailboxDir: mailbox?.dir ?? (config.mode === 'demo' ? config.mail.mailboxDir : undefined),
    smtpUrl,
    renderer,
    renderForUser,
    runSubscription: (subscription, runKey, scheduledAt) => runSubscription(subscription, runKey, scheduledAt, { signal: new AbortController().signal }),
    async close() {
      await scheduler?.stop();
      await renderer.close();
      mailer.close();
      await server.close();
      await mailbox?.close();
    },
  };
}

/** `pano report render`: an in-process server on a free port, one render, then everything is closed. */
export async function renderReportForUser(config: PanoConfig, logger: Logger, reportId: string, username: string) {
  const appDb = await openAppDb(config.appDbUrl);
  const pano = await startPano(config, logger, { port: 0, scheduler: false, appDb, mailbox: false });
  try {
    return await pano.renderForUser(reportId, username);
  } finally {
    await pano.close();
    await appDb.destroy();
  }
}

/** `pano report send`: render once, deliver through the ledger to the given addresses now. */
export async function sendReportNow(config: PanoConfig, logger: Logger, reportId: string, username: string, to: string[]): Promise<DeliveryOutcome[]> {
  const appDb = await openAppDb(config.appDbUrl);
  const pano = await startPano(config, logger, { port: 0, scheduler: false, appDb }).catch(async (e) => {
    await appDb.destroy();
    throw e;
  });
  const mailer = createMailer({ smtpUrl: pano.smtpUrl, from: config.mail.from });
  try {
    const { pdf, pages } = await pano.renderForUser(reportId, username);
    const def = getReport(reportId)!;
    const now = new Date();
    const filename = reportFileName(reportId, now, config.timezone);
    const dataAsOf = pano.server.reader.manifest()?.sources.find((s) => s.source === 'glpi')?.dataAsOf ?? null;
    const mail = composeReportMail({ reportTitle: def.title.tr, date: now, timezone: config.timezone, filename, pages, dataAsOf });
    const result = await deliverRun({
      db: appDb,
      runKey: `manual:${reportId}@${now.toISOString()}`,
      reportId,
      recipients: to,
      pdf,
      filename,
      mail,
      send: mailer.sendReportMail,
      retries: config.mail.retries,
      logger,
      reportTitle: def.title.tr,
      scheduledAt: now,
      timezone: config.timezone,
    });
    return result.outcomes;
  } finally {
    mailer.close();
    await pano.close();
    await appDb.destroy();
  }
}
