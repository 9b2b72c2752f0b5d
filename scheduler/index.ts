/**
 * The one public entry of scheduler/: subscriptions on a cron schedule, the run of one subscription
 * (render once with the owner's permissions, deliver through the ledger), mail delivery and the demo mailbox.
 * Imports no other wing: report definitions come from common/definitions/, rendering is handed in by the
 * composition root (portal/server/pano.ts).
 */
export { startScheduler, nextRuns, validateSchedule, runKeyOf, seedDefaultSubscriptions } from './scheduler.js';
export type { SchedulerHandle } from './scheduler.js';
export { getSubscription } from './subscriptions.js';
export type { Subscription } from './subscriptions.js';
export { createSubscriptionRunner, SubscriptionRunError } from './run-subscription.js';
export { createMailer, smtpTarget, toDeliveryError } from './delivery/mailer.js';
export type { Mailer, OutgoingMail, SendMail } from './delivery/mailer.js';
export { composeReportMail, AUTOMATIC_NOTICE } from './delivery/mail-content.js';
export { startDemoMailbox } from './delivery/demo-mailbox.js';
export type { DemoMailbox, StoredMailSummary } from './delivery/demo-mailbox.js';
export { deliverRun, recordRunFailure, listDeliveries } from './delivery/ledger.js';
export type { DeliveryOutcome } from './delivery/ledger.js';
