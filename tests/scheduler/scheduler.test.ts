import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AppDb } from '../../common/db/app-db.js';
import {
  nextRuns,
  runKeyOf,
  seedDefaultSubscriptions,
  startScheduler,
  validateSchedule,
  type SchedulerHandle,
  type Subscription,
} from '../../scheduler/index.js';
import { captureLogger, insertSubscription, tempAppDb } from './helpers.js';

describe('nextRuns', () => {
  it.each([
    {
      name: 'Monday 08:00 Istanbul is 05:00Z',
      cron: '0 8 * * 1',
      tz: 'Europe/Istanbul',
      from: '2026-11-25T00:00:00Z',
      expected: ['2026-11-30T05:00:00.000Z', '2026-12-07T05:00:00.000Z', '2026-12-14T05:00:00.000Z'],
    },
    {
      name: 'strictly after `from`',
      cron: '0 8 * * 1',
      tz: 'Europe/Istanbul',
      from: '2026-11-30T05:00:00Z',
      expected: ['2026-12-07T05:00:00.000Z'],
    },
    {
      name: 'across the new year',
      cron: '0 8 * * 1',
      tz: 'Europe/Istanbul',
      from: '2026-12-25T00:00:00Z',
      expected: ['2026-12-28T05:00:00.000Z', '2027-01-04T05:00:00.000Z'],
    },
    {
      name: 'monthly on the 1st at 06:30 Istanbul',
      cron: '30 6 1 * *',
      tz: 'Europe/Istanbul',
      from: '2026-11-15T00:00:00Z',
      expected: ['2026-12-01T03:30:00.000Z', '2027-01-01T03:30:00.000Z', '2027-02-01T03:30:00.000Z'],
    },
    {
      name: 'the same pattern in UTC',
      cron: '0 8 * * 1',
      tz: 'UTC',
      from: '2026-11-25T00:00:00Z',
      expected: ['2026-11-30T08:00:00.000Z'],
    },
    {
      name: 'an Istanbul Monday that is still Sunday in UTC',
      cron: '30 1 * * 1',
      tz: 'Europe/Istanbul',
      from: '2026-11-25T00:00:00Z',
      expected: ['2026-11-29T22:30:00.000Z'],
    },
  ])('$name', ({ cron, tz, from, expected }) => {
    expect(nextRuns(cron, tz, new Date(from), expected.length).map((d) => d.toISOString())).toEqual(expected);
  });

  it.each([
    ['six fields (seconds would mail every second)', '0 0 8 * * 1', 'Europe/Istanbul'],
    ['garbage', 'every monday', 'Europe/Istanbul'],
    ['hour out of range', '0 25 * * 1', 'Europe/Istanbul'],
    ['unknown timezone', '0 8 * * 1', 'Mars/Olympus'],
  ])('rejects %s', (_name, cron, tz) => {
    expect(() => validateSchedule(cron, tz)).toThrow(expect.objectContaining({ code: 'schedule_invalid' }));
  });
});

describe('startScheduler (fake timers)', () => {
  let db: AppDb;
  let cleanup: () => Promise<void>;
  let handle: SchedulerHandle | undefined;

  beforeEach(async () => {
    ({ db, cleanup } = await tempAppDb());
  });
  afterEach(async () => {
    vi.useRealTimers();
    if (handle) await handle.stop();
    handle = undefined;
    await cleanup();
  });

  it('fires at Monday 08:00 Istanbul with the scheduled instant as run key', async () => {
    const id = await insertSubscription(db, { cron: '0 8 * * 1' });
    vi.useFakeTimers({ now: new Date('2026-11-30T04:59:30Z') });
    const calls: Array<{ runKey: string; scheduledAt: string; sub: Subscription }> = [];
    const { logger, events } = captureLogger();
    handle = await startScheduler({
      db,
      logger,
      timezone: 'Europe/Istanbul',
      runSubscription: async (sub, runKey, scheduledAt) => {
        calls.push({ runKey, scheduledAt: scheduledAt.toISOString(), sub });
      },
    });
    expect(handle.jobs).toEqual([expect.objectContaining({ subscriptionId: id, nextRun: new Date('2026-11-30T05:00:00Z'), running: false })]);

    await vi.advanceTimersByTimeAsync(29_000);
    expect(calls).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.runKey).toBe(`${id}@2026-11-30T05:00:00.000Z`);
    expect(calls[0]!.scheduledAt).toBe('2026-11-30T05:00:00.000Z');
    expect(calls[0]!.sub).toMatchObject({ id, reportId: 'helpdesk-weekly', ownerUsername: 'mudur', recipients: ['mudur@sultanbeyli.bel.tr'] });
    expect(events('scheduler.job.start')).toHaveLength(1);
    expect(events('scheduler.job.done')[0]).toMatchObject({ subscription_id: id, run_key: calls[0]!.runKey, duration_ms: expect.any(Number) });
    expect(handle.jobs[0]!.nextRun).toEqual(new Date('2026-12-07T05:00:00Z'));
  });

  it('does not overlap: an occurrence due during a run waits for it, then runs once under its own key', async () => {
    await insertSubscription(db, { cron: '* * * * *' });
    vi.useFakeTimers({ now: new Date('2026-11-30T05:00:30Z') });
    const { logger, events } = captureLogger();
    let release!: () => void;
    let inFlight = 0;
    let maxInFlight = 0;
    const runKeys: string[] = [];
    handle = await startScheduler({
      db,
      logger,
      timezone: 'Europe/Istanbul',
      jobTimeoutMs: 60 * 60_000,
      runSubscription: async (_s, runKey) => {
        runKeys.push(runKey);
        maxInFlight = Math.max(maxInFlight, ++inFlight);
        await new Promise<void>((r) => (release = r));
        inFlight--;
      },
    });
    await vi.advanceTimersByTimeAsync(31_000); // 05:01 fires, the run hangs
    await vi.advanceTimersByTimeAsync(120_000); // 05:02 and 05:03 fall due meanwhile
    expect(runKeys).toEqual(['1@2026-11-30T05:01:00.000Z']);
    expect(handle.jobs[0]!.running).toBe(true);
    // logged once per blocked occurrence, not on every croner re-check
    expect(events('scheduler.job.skipped').map((l) => l.run_key)).toEqual(['1@2026-11-30T05:02:00.000Z', '1@2026-11-30T05:03:00.000Z']);
    release(); // 05:03:01; croner re-checks within 30 s and starts the due occurrence
    await vi.advanceTimersByTimeAsync(30_000);
    expect(runKeys).toEqual(['1@2026-11-30T05:01:00.000Z', '1@2026-11-30T05:03:00.000Z']);
    release();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(runKeys.at(-1)).toBe('1@2026-11-30T05:04:00.000Z');
    release();
    expect(maxInFlight).toBe(1);
  });

  it('a run past its time limit is logged as failed, aborted, and still blocks the next occurrence until it ends', async () => {
    await insertSubscription(db, { cron: '* * * * *' });
    vi.useFakeTimers({ now: new Date('2026-11-30T05:00:50Z') });
    const { logger, events } = captureLogger();
    let signal: AbortSignal | undefined;
    let release!: () => void;
    let runs = 0;
    handle = await startScheduler({
      db,
      logger,
      timezone: 'Europe/Istanbul',
      jobTimeoutMs: 5_000,
      runSubscription: (_s, _k, _at, ctx) => {
        runs++;
        signal = ctx.signal;
        return new Promise<void>((r) => (release = r));
      },
    });
    await vi.advanceTimersByTimeAsync(11_000); // fires at 05:01:00
    expect(runs).toBe(1);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(events('scheduler.job.failed')[0]).toMatchObject({ code: 'job_timeout', run_key: '1@2026-11-30T05:01:00.000Z' });
    expect(signal?.aborted).toBe(true);
    await vi.advanceTimersByTimeAsync(60_000); // 05:02: the stuck run still holds the subscription
    expect(runs).toBe(1);
    expect(events('scheduler.job.skipped')).toHaveLength(1);
    release();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(runs).toBe(2);
    release();
  });

  it('a failing run is logged with its error and the schedule goes on', async () => {
    await insertSubscription(db, { cron: '* * * * *' });
    vi.useFakeTimers({ now: new Date('2026-11-30T05:00:59Z') });
    const { logger, events } = captureLogger();
    let runs = 0;
    handle = await startScheduler({
      db,
      logger,
      timezone: 'Europe/Istanbul',
      runSubscription: async () => {
        runs++;
        throw new Error('SMTP down');
      },
    });
    await vi.advanceTimersByTimeAsync(62_000);
    expect(runs).toBe(2);
    expect(events('scheduler.job.failed')).toHaveLength(2);
    expect(events('scheduler.job.failed')[0]).toMatchObject({ err: 'SMTP down', duration_ms: expect.any(Number) });
  });

  it('skips invalid and inactive subscriptions, schedules the rest, and reload() picks up changes', async () => {
    const good = await insertSubscription(db, { cron: '0 8 * * 1' });
    await insertSubscription(db, { cron: 'not a cron' });
    await insertSubscription(db, { cron: '0 9 * * 1', active: false });
    vi.useFakeTimers({ now: new Date('2026-11-25T00:00:00Z') });
    const { logger, events } = captureLogger();
    handle = await startScheduler({ db, logger, timezone: 'Europe/Istanbul', runSubscription: async () => undefined });
    expect(handle.jobs.map((j) => j.subscriptionId)).toEqual([good]);
    expect(events('scheduler.subscription.invalid')).toHaveLength(1);

    const monthly = await insertSubscription(db, { cron: '30 6 1 * *' });
    await handle.reload();
    expect(handle.jobs.map((j) => [j.subscriptionId, j.nextRun?.toISOString()])).toEqual([
      [good, '2026-11-30T05:00:00.000Z'],
      [monthly, '2026-12-01T03:30:00.000Z'],
    ]);
  });

  it('runNow runs a subscription at once with a run key of now', async () => {
    const id = await insertSubscription(db);
    vi.useFakeTimers({ now: new Date('2026-11-26T10:15:00Z') });
    const keys: string[] = [];
    handle = await startScheduler({ db, timezone: 'Europe/Istanbul', runSubscription: async (_s, k) => void keys.push(k) });
    await expect(handle.runNow(id)).resolves.toEqual({ status: 'done', runKey: `${id}@2026-11-26T10:15:00.000Z` });
    expect(keys).toEqual([runKeyOf(id, new Date('2026-11-26T10:15:00Z'))]);
    await expect(handle.runNow(999)).rejects.toMatchObject({ code: 'subscription_not_found' });
  });
});

describe('seedDefaultSubscriptions', () => {
  it('subscribes the director once, and never touches existing subscriptions', async () => {
    const { db, cleanup } = await tempAppDb();
    try {
      const id = await seedDefaultSubscriptions(db, { directorEmail: 'mudur@sultanbeyli.bel.tr', cron: '0 8 * * 1', timezone: 'Europe/Istanbul' });
      expect(id).toEqual(expect.any(Number));
      const rows = await db('subscriptions').select('*');
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({
        id,
        report_id: 'helpdesk-weekly',
        name: 'Yardım Masası Haftalık Raporu',
        owner_username: 'mudur',
        cron: '0 8 * * 1',
        timezone: 'Europe/Istanbul',
        recipients_json: '["mudur@sultanbeyli.bel.tr"]',
      });
      expect(await seedDefaultSubscriptions(db, { directorEmail: 'other@x.tr', cron: '0 9 * * 1', timezone: 'UTC' })).toBeNull();
      expect(await db('subscriptions').count({ n: '*' })).toEqual([{ n: 1 }]);
    } finally {
      await cleanup();
    }
  });
});
