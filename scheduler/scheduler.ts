import { Cron } from 'croner';
import type { AppDb } from '../common/db/app-db.js';
import { PanoError, errorMessage } from '../common/errors.js';
import { silentLogger, type Logger } from '../common/logger.js';
import { getSubscription, loadSubscriptionRows, parseSubscription, type Subscription } from './subscriptions.js';

export { seedDefaultSubscriptions } from './subscriptions.js';

/**
 * Runs subscriptions on their cron schedule (croner), one job per active subscription.
 *
 * - Cron patterns have 5 fields (minute hour day month weekday), read in the subscription's timezone
 *   (PANO_TIMEZONE by default): with Europe/Istanbul, '0 8 * * 1' is Monday 08:00 in Istanbul, 05:00Z.
 * - One occurrence is one run key, `${subscription.id}@${scheduledAt.toISOString()}`, the scheduled instant
 *   (not the instant the timer happened to fire), so the delivery ledger recognises a repeated run.
 * - No overlap: a subscription never has two runs at once. An occurrence that falls due while the previous
 *   run is still going is logged (`scheduler.job.skipped`) and, by croner's `protect`, started once that run
 *   ends (within 30 s), keyed by the latest due occurrence: occurrences in between collapse into one run.
 *   A run that outlived its time limit still holds the subscription; occurrences during that time are dropped.
 * - Each run has a time limit; when it is exceeded the run is logged as failed and its AbortSignal fires.
 */

export type RunSubscription = (subscription: Subscription, runKey: string, scheduledAt: Date, context: { signal: AbortSignal }) => Promise<unknown>;

export interface StartSchedulerOptions {
  db: AppDb;
  logger?: Logger;
  /** Default timezone for subscriptions without one. */
  timezone: string;
  runSubscription: RunSubscription;
  /** Clock; tests use fake timers (which croner follows) or inject this. */
  now?: () => Date;
  /** Time limit of one run. Default 30 minutes. */
  jobTimeoutMs?: number;
  /** How long stop() waits for runs in progress. Default 30 s. */
  stopTimeoutMs?: number;
}

export interface SchedulerJobInfo {
  subscriptionId: number;
  name: string;
  reportId: string;
  cron: string;
  timezone: string;
  nextRun: Date | null;
  running: boolean;
}

export interface RunOutcome {
  status: 'done' | 'failed' | 'skipped';
  runKey: string;
  error?: string;
}

export interface SchedulerHandle {
  /** The scheduled subscriptions and their next runs, as of now. */
  readonly jobs: SchedulerJobInfo[];
  /** Re-reads the subscriptions table (after a subscription was added, changed or removed). */
  reload(): Promise<void>;
  /** Runs a subscription now (the portal's "send now"), with the same no-overlap rule and time limit. */
  runNow(subscriptionId: number): Promise<RunOutcome>;
  /** Stops all timers and waits (bounded) for runs in progress. */
  stop(): Promise<void>;
}

/** The next `count` run instants after `from` (strictly after), for a 5-field cron in a timezone. Pure. */
export function nextRuns(cron: string, timezone: string, from: Date, count: number): Date[] {
  return scheduleOf(cron, timezone).nextRuns(count, from);
}

/** Throws a PanoError (code `schedule_invalid`) if the cron pattern or the timezone is not valid. */
export function validateSchedule(cron: string, timezone: string): void {
  scheduleOf(cron, timezone).nextRun(new Date(0));
}

export function runKeyOf(subscriptionId: number, scheduledAt: Date): string {
  return `${subscriptionId}@${scheduledAt.toISOString()}`;
}

function scheduleOf(cron: string, timezone: string): Cron {
  try {
    const c = new Cron(cron, { timezone, mode: '5-part', paused: true });
    c.nextRun(new Date(0)); // an invalid timezone only shows when a date is computed
    return c;
  } catch (e) {
    throw new PanoError(`Invalid schedule "${cron}" in timezone "${timezone}": ${errorMessage(e)}`, { code: 'schedule_invalid', cause: e });
  }
}

interface ScheduledJob {
  subscription: Subscription;
  cron: Cron;
}

export async function startScheduler(opts: StartSchedulerOptions): Promise<SchedulerHandle> {
  const log = opts.logger ?? silentLogger;
  const now = opts.now ?? (() => new Date());
  const jobTimeoutMs = opts.jobTimeoutMs ?? 30 * 60_000;
  const stopTimeoutMs = opts.stopTimeoutMs ?? 30_000;
  /** Runs in progress by subscription id; kept past a job timeout so a stuck run still blocks the next one. */
  const running = new Map<number, Promise<unknown>>();
  let jobs: ScheduledJob[] = [];
  let stopped = false;

  async function execute(subscription: Subscription, scheduledAt: Date, runKey: string): Promise<RunOutcome> {
    const fields = { subscription_id: subscription.id, report_id: subscription.reportId, run_key: runKey };
    if (running.has(subscription.id)) {
      log.warn({ ...fields, reason: 'previous_run_still_running' }, 'scheduler.job.skipped');
      return { status: 'skipped', runKey };
    }
    const started = now();
    log.info({ ...fields, scheduled_at: scheduledAt.toISOString(), lag_ms: started.getTime() - scheduledAt.getTime() }, 'scheduler.job.start');
    const controller = new AbortController();
    const run = Promise.resolve().then(() => opts.runSubscription(subscription, runKey, scheduledAt, { signal: controller.signal }));
    const tracked = run.then(
      () => undefined,
      () => undefined,
    );
    running.set(subscription.id, tracked);
    void tracked.then(() => {
      if (running.get(subscription.id) === tracked) running.delete(subscription.id);
    });

    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const err = new PanoError(`Run ${runKey} exceeded the time limit of ${jobTimeoutMs} ms`, { code: 'job_timeout', retryable: true });
        controller.abort(err);
        reject(err);
      }, jobTimeoutMs);
    });
    try {
      await Promise.race([run, timeout]);
      log.info({ ...fields, duration_ms: now().getTime() - started.getTime() }, 'scheduler.job.done');
      return { status: 'done', runKey };
    } catch (e) {
      const code = e instanceof PanoError ? e.code : undefined;
      log.error({ ...fields, duration_ms: now().getTime() - started.getTime(), code, err: errorMessage(e) }, 'scheduler.job.failed');
      return { status: 'failed', runKey, error: errorMessage(e) };
    } finally {
      clearTimeout(timer);
    }
  }

  function schedule(subscription: Subscription): ScheduledJob | null {
    const tz = subscription.timezone || opts.timezone;
    try {
      validateSchedule(subscription.cron, tz);
    } catch (e) {
      log.error({ subscription_id: subscription.id, cron: subscription.cron, timezone: tz, err: errorMessage(e) }, 'scheduler.subscription.invalid');
      return null;
    }
    let lastBlockedKey: string | null = null;
    const cron = new Cron(
      subscription.cron,
      {
        timezone: tz,
        mode: '5-part',
        // Croner calls this (every ≤30 s) while an occurrence is due but the previous run is still going;
        // once that run ends it starts the due occurrence late. Log each blocked occurrence once.
        protect: (self: Cron) => {
          const due = self.previousRuns(1, new Date(now().getTime() + 1))[0];
          const key = due ? runKeyOf(subscription.id, due) : null;
          if (key === lastBlockedKey) return;
          lastBlockedKey = key;
          log.warn(
            { subscription_id: subscription.id, report_id: subscription.reportId, run_key: key, reason: 'previous_run_still_running' },
            'scheduler.job.skipped',
          );
        },
      },
      async (self: Cron) => {
        const firedAt = now();
        // The occurrence this firing belongs to: the latest scheduled instant not after now.
        const scheduledAt = self.previousRuns(1, new Date(firedAt.getTime() + 1))[0] ?? firedAt;
        await execute(subscription, scheduledAt, runKeyOf(subscription.id, scheduledAt));
      },
    );
    return { subscription: { ...subscription, timezone: tz }, cron };
  }

  async function load(): Promise<void> {
    const next: ScheduledJob[] = [];
    for (const row of await loadSubscriptionRows(opts.db, { activeOnly: true })) {
      let subscription: Subscription;
      try {
        subscription = parseSubscription(row);
      } catch (e) {
        log.error({ subscription_id: row.id, err: errorMessage(e) }, 'scheduler.subscription.invalid');
        continue;
      }
      const job = schedule(subscription);
      if (job) next.push(job);
    }
    jobs = next;
    log.info(
      {
        jobs: jobs.map((j) => ({
          subscription_id: j.subscription.id,
          cron: j.subscription.cron,
          timezone: j.subscription.timezone,
          next_run: j.cron.nextRun()?.toISOString() ?? null,
        })),
      },
      'scheduler.jobs.loaded',
    );
  }

  function stopTimers(): void {
    for (const j of jobs) j.cron.stop();
    jobs = [];
  }

  await load();

  return {
    get jobs(): SchedulerJobInfo[] {
      return jobs.map((j) => ({
        subscriptionId: j.subscription.id,
        name: j.subscription.name,
        reportId: j.subscription.reportId,
        cron: j.subscription.cron,
        timezone: j.subscription.timezone,
        nextRun: j.cron.nextRun(now()),
        running: running.has(j.subscription.id),
      }));
    },
    async reload() {
      if (stopped) return;
      stopTimers();
      await load();
    },
    async runNow(subscriptionId: number) {
      const subscription = await getSubscription(opts.db, subscriptionId);
      if (!subscription) throw new PanoError(`No subscription ${subscriptionId}`, { code: 'subscription_not_found' });
      const at = now();
      return execute({ ...subscription, timezone: subscription.timezone || opts.timezone }, at, runKeyOf(subscription.id, at));
    },
    async stop() {
      stopped = true;
      stopTimers();
      const inFlight = [...running.values()];
      if (inFlight.length === 0) return;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const waited = await Promise.race([
        Promise.allSettled(inFlight).then(() => true),
        new Promise<boolean>((resolve) => {
          timer = setTimeout(() => resolve(false), stopTimeoutMs);
        }),
      ]);
      clearTimeout(timer);
      if (!waited) log.warn({ running: [...running.keys()] }, 'scheduler.stop.runs_still_going');
      log.info({}, 'scheduler.stopped');
    },
  };
}
