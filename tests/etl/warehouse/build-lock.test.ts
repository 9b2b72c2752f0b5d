import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { processStartTime, SnapshotStore, type BuildLockHolder } from '../../../etl/warehouse/snapshots.js';

/**
 * The build lock names its holder by host, PID and the process's start time (/proc/<pid>/stat field 22): a PID
 * that now names another process (a reused PID: same number, other start time) does not block the ETL for ever.
 */
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function newStore(): { store: SnapshotStore; lock: string } {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'pano-lock-'));
  dirs.push(d);
  const store = new SnapshotStore(d);
  fs.mkdirSync(store.snapshotsDir, { recursive: true });
  return { store, lock: path.join(store.snapshotsDir, 'build.lock') };
}

const writeHolder = (lock: string, h: BuildLockHolder) => fs.writeFileSync(lock, JSON.stringify(h));
const hasProc = fs.existsSync(`/proc/${process.pid}/stat`);

describe.skipIf(!hasProc)('build lock: host, PID and start time', () => {
  it('records the holder’s own start time', () => {
    const { store, lock } = newStore();
    const held = store.lockBuild('20261125T100000Z-mine00');
    const h = JSON.parse(fs.readFileSync(lock, 'utf8')) as BuildLockHolder;
    expect(h).toMatchObject({ pid: process.pid, host: os.hostname(), runId: '20261125T100000Z-mine00' });
    expect(h.startTime).toBe(processStartTime(process.pid));
    expect(Number.isSafeInteger(h.startTime)).toBe(true);
    held.release();
    expect(fs.existsSync(lock)).toBe(false);
  });

  it('a live PID with another start time (the PID was reused) is taken over, and says whose it was', () => {
    const { store, lock } = newStore();
    const stale: BuildLockHolder = {
      pid: process.ppid, // alive: kill(pid, 0) succeeds
      startTime: processStartTime(process.ppid)! + 1, // …but not the process that took the lock
      host: os.hostname(),
      runId: '20261125T080000Z-reused',
      startedAt: '2026-11-25T08:00:00.000Z',
    };
    writeHolder(lock, stale);
    const held = store.lockBuild('20261125T100000Z-mine00');
    expect(held.tookOver).toEqual({ holder: stale, state: 'reused' });
    expect((JSON.parse(fs.readFileSync(lock, 'utf8')) as BuildLockHolder).runId).toBe('20261125T100000Z-mine00');
    held.release();
  });

  it('this very PID with another start time (a restarted container’s PID 1, say) is taken over too', () => {
    const { store, lock } = newStore();
    writeHolder(lock, {
      pid: process.pid,
      startTime: processStartTime(process.pid)! - 1,
      host: os.hostname(),
      runId: 'old',
      startedAt: '2026-11-25T08:00:00.000Z',
    });
    const held = store.lockBuild('20261125T100000Z-mine00');
    expect(held.tookOver?.state).toBe('reused');
    held.release();
  });

  it('a live process with the recorded start time is respected (EtlBusyError naming it and `pano etl unlock`)', () => {
    const { store, lock } = newStore();
    writeHolder(lock, {
      pid: process.ppid,
      startTime: processStartTime(process.ppid),
      host: os.hostname(),
      runId: '20261125T090000Z-live00',
      startedAt: '2026-11-25T09:00:00.000Z',
    });
    expect(() => store.lockBuild('20261125T100000Z-mine00')).toThrow(`run 20261125T090000Z-live00, process ${process.ppid} on ${os.hostname()}`);
    expect(() => store.lockBuild('20261125T100000Z-mine00')).toThrow(`\`pano etl unlock\` removes ${lock}`);
    try {
      store.lockBuild('20261125T100000Z-mine00');
    } catch (e) {
      expect(e).toMatchObject({ code: 'etl_busy', retryable: true });
    }
    expect(fs.existsSync(lock)).toBe(true);
  });

  it('an old lock file without a start time: the kill check only (a live PID is respected)', () => {
    const { store, lock } = newStore();
    writeHolder(lock, { pid: process.ppid, host: os.hostname(), runId: 'old-live', startedAt: '2026-11-25T09:00:00.000Z' });
    expect(() => store.lockBuild('20261125T100000Z-mine00')).toThrow(/run old-live/);
  });

  it('unlockBuild: refuses a live holder; removes a reused PID’s lock; another host’s only with force', () => {
    const { store, lock } = newStore();
    writeHolder(lock, {
      pid: process.ppid,
      startTime: processStartTime(process.ppid),
      host: os.hostname(),
      runId: 'live',
      startedAt: '2026-11-25T09:00:00.000Z',
    });
    expect(() => store.unlockBuild()).toThrow(/held by a live run: run live, process \d+ on .*, since 2026-11-25T09:00:00.000Z/);
    expect(fs.existsSync(lock)).toBe(true);

    writeHolder(lock, {
      pid: process.ppid,
      startTime: processStartTime(process.ppid)! + 1,
      host: os.hostname(),
      runId: 'reused',
      startedAt: '2026-11-25T09:00:00.000Z',
    });
    expect(store.unlockBuild()).toMatchObject({ removed: true, state: 'reused', holder: { runId: 'reused' } });
    expect(fs.existsSync(lock)).toBe(false);

    writeHolder(lock, { pid: 12345, host: `not-${os.hostname()}`, runId: 'far', startedAt: '2026-11-25T09:00:00.000Z' });
    expect(() => store.unlockBuild()).toThrow(/another host.*cannot see another host's processes.*--force/);
    expect(fs.existsSync(lock)).toBe(true);
    expect(store.unlockBuild({ force: true })).toMatchObject({ removed: true, state: 'elsewhere' });
    expect(store.unlockBuild()).toMatchObject({ removed: false, state: 'none' });
  });
});
