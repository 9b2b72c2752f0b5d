/**
 * The one public entry of scheduler/: subscriptions on a cron schedule, the run of one subscription
 * (render once with the owner's permissions, deliver through the ledger), mail delivery and the demo mailbox.
 * Imports no other wing: report definitions come from common/definitions/, rendering is handed in by the
 * composition root (portal/server/pano.ts).
 */
export { startScheduler, nextRuns, validateSchedule, runKeyOf, seedDefaultSubscriptions } from './scheduler.js';
export type { StartSchedulerOptions, SchedulerHandle, SchedulerJobInfo, RunSubscription, RunOutcome } from './scheduler.js';
export { parseSubscription, getSubscription, loadSubscriptionRows } from './subscriptions.js';
export type { Subscription, SubscriptionRow } from './subscriptions.js';
export { createSubscriptionRunner, SubscriptionRunError } from './run-subscription.js';
export type { CreateSubscriptionRunnerOptions, SubscriptionRendererPort, SubscriptionRunner, RunSummary } from './run-subscription.js';
export { createMailer, smtpTarget, toDeliveryError } from './delivery/mailer.js';
export type { Mailer, MailerOptions, OutgoingMail, SentMail, SendMail } from './delivery/mailer.js';
export { composeReportMail, composeFailureNotice, AUTOMATIC_NOTICE } from './delivery/mail-content.js';
export type { MailContent, ReportMailInput } from './delivery/mail-content.js';
export { startDemoMailbox } from './delivery/demo-mailbox.js';
export type { DemoMailbox, DemoMailboxOptions, StoredMailSummary } from './delivery/demo-mailbox.js';
export { deliverRun, recordRunFailure, listDeliveries } from './delivery/ledger.js';
export type { DeliverRunOptions, DeliverRunResult, DeliveryOutcome, DeliveryRow, DeliveryStatus } from './delivery/ledger.js';
export { DEFAULT_BACKOFF } from './delivery/ledger.js';
