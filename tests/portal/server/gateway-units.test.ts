import { describe, expect, it } from 'vitest';
import { LoginGuard } from '../../../portal/server/login-guard.js';
import { CUBE_INTERNAL_EXPORTS, CUBE_INTERNAL_FILES, loadCube } from '../../../portal/server/semantic/cube-internals.js';
import { ResultCache } from '../../../portal/server/semantic/result-cache.js';

const kb = (n: number, fill = 'x') => Buffer.from(fill.repeat(n * 1024));

describe('ResultCache: bounded by bytes', () => {
  it('keeps answers up to its byte budget, least recently used leaving first', () => {
    const c = new ResultCache(100 * 1024, 40 * 1024);
    c.set('a', kb(30));
    c.set('b', kb(30));
    c.set('c', kb(30));
    expect(c.get('a')).toBeDefined(); // a is now the most recently used
    c.set('d', kb(30)); // 120 KB > 100 KB: b (the least recently used) leaves
    expect(c.get('b')).toBeUndefined();
    expect(c.get('a')?.length).toBe(30 * 1024);
    expect(c.stats().bytes).toBeLessThanOrEqual(100 * 1024);
    expect(c.stats().entries).toBe(3);
  });

  it('never keeps an answer above the entry size, and drops an older copy of it', () => {
    const c = new ResultCache(100 * 1024, 40 * 1024);
    c.set('k', kb(10));
    c.set('k', kb(50));
    expect(c.get('k')).toBeUndefined();
    expect(c.stats()).toMatchObject({ entries: 0, bytes: 0, skipped: 1 });
  });

  it('a thousand large answers stay within the budget', () => {
    const c = new ResultCache(1024 * 1024, 256 * 1024);
    for (let i = 0; i < 1000; i++) c.set(`q${i}`, kb(200));
    expect(c.stats().bytes).toBeLessThanOrEqual(1024 * 1024);
    expect(c.stats().entries).toBe(5);
  });

  it('size 0 turns the cache off', () => {
    const c = new ResultCache(0, 0);
    c.set('k', kb(1));
    expect(c.get('k')).toBeUndefined();
    expect(c.stats()).toMatchObject({ entries: 0, skipped: 1, misses: 1 });
  });
});

describe('LoginGuard: failures per username and per address', () => {
  const guard = (now: { t: number }) => new LoginGuard({ maxFailures: 3, lockMs: 60_000, ipMaxFailures: 5, ipSpacingMs: 20, ipQueueMax: 2, now: () => now.t });

  it('locks a username after its own failures, for the lock time, then lets it try again', async () => {
    const now = { t: 1_000_000 };
    const g = guard(now);
    expect(g.fail('ali', '10.0.0.1')).toBe(false);
    expect(g.fail('ali', '10.0.0.2')).toBe(false);
    expect(g.fail('ali', '10.0.0.3')).toBe(true); // from three addresses: still this username's failures
    expect(await g.admit('ali', '10.0.0.9')).toEqual({ ok: false, reason: 'user_locked', retryAfterSeconds: 60 });
    expect(await g.admit('veli', '10.0.0.1')).toEqual({ ok: true });
    now.t += 30_000;
    expect(await g.admit('ali', '10.0.0.9')).toMatchObject({ ok: false, retryAfterSeconds: 30 });
    now.t += 30_001;
    expect(await g.admit('ali', '10.0.0.9')).toEqual({ ok: true });
  });

  it('a success forgets the username’s failures but never counts itself', async () => {
    const now = { t: 0 };
    const g = guard(now);
    g.fail('ali', 'ip');
    g.fail('ali', 'ip');
    g.succeed('ali');
    for (let i = 0; i < 50; i++) g.succeed('ali');
    expect(g.fail('ali', 'ip')).toBe(false);
    expect(await g.admit('ali', 'ip')).toEqual({ ok: true });
  });

  it('an address over its limit is slowed to one attempt at a time, never locked; a full queue is told to wait', async () => {
    const now = { t: 0 };
    const g = guard(now);
    for (let i = 0; i < 5; i++) g.fail(`user${i}`, 'nat');
    // Over the limit: attempts wait their turn (20 ms apart here) and then go ahead — a correct password can log in.
    const turns = await Promise.all([g.admit('real', 'nat'), g.admit('other', 'nat')]);
    expect(turns).toEqual([{ ok: true }, { ok: true }]);
    // Two already waiting (ipQueueMax 2): a third is refused at once.
    const waiting = [g.admit('a', 'nat'), g.admit('b', 'nat')];
    expect(await g.admit('c', 'nat')).toMatchObject({ ok: false, reason: 'ip_busy' });
    await Promise.all(waiting);
    // Another address is not slowed.
    expect(await g.admit('real', 'elsewhere')).toEqual({ ok: true });
  });
});

describe('Cube internals: every file and export Pano reaches into exists in the pinned Cube version', () => {
  it.each(Object.entries(CUBE_INTERNAL_FILES))('%s (%s)', (key) => {
    const cube = loadCube() as unknown as Record<string, unknown>;
    for (const name of CUBE_INTERNAL_EXPORTS[key as keyof typeof CUBE_INTERNAL_FILES]) expect(typeof cube[name], name).toBe('function');
  });

  it('all @cubejs-backend packages are pinned to one exact version', async () => {
    const pkg = (await import('../../../package.json', { with: { type: 'json' } })).default as {
      dependencies: Record<string, string>;
      devDependencies?: Record<string, string>;
    };
    const cube = Object.entries({ ...pkg.dependencies, ...pkg.devDependencies }).filter(([n]) => n.startsWith('@cubejs-backend/'));
    expect(cube.length).toBeGreaterThan(2);
    const versions = new Set(cube.map(([, v]) => v));
    expect(versions.size).toBe(1);
    expect([...versions][0]).toMatch(/^\d+\.\d+\.\d+$/);
  });
});
