import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../common/config.js';
import { silentLogger } from '../../../common/logger.js';
import { startServer, type RunningServer } from '../../../portal/server/index.js';
import { createPanoEnv, login, type PanoTestEnv } from '../../helpers/pano-env.js';

// Logins counted per username and per address (failures only), logout and disabled users ending tokens,
// security headers and the Host allow-list — against a real server over HTTP.
const run = promisify(execFile);
let env: PanoTestEnv;
let server: RunningServer;

const tryLogin = async (url: string, username: string, password: string) => {
  const res = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  return { status: res.status, retryAfter: res.headers.get('retry-after'), body: (await res.json()) as Record<string, any> };
};
const me = async (url: string, token: string) => (await fetch(`${url}/api/me`, { headers: { authorization: token } })).status;

beforeAll(async () => {
  // Small limits so the test reaches them quickly: 3 failures lock a username, 8 from one address slow it down.
  env = await createPanoEnv({ env: { PANO_LOGIN_MAX_FAILURES: '3', PANO_LOGIN_IP_MAX_FAILURES: '8', PANO_LOGIN_LOCK_MINUTES: '15' } });
  server = await startServer(env.config, silentLogger, { port: 0 });
}, 120_000);
afterAll(async () => {
  await server?.close();
  env?.cleanup();
});

// One server for the file (the login counters live in its memory), so the order of the tests matters: all come
// from 127.0.0.1, and the test that puts the address over its limit runs last.
const withServer = (fn: (s: RunningServer) => Promise<void>) => () => fn(server);

describe('login limits', () => {
  it(
    'successful logins are never counted: ten in a row all pass',
    withServer(async (s) => {
      for (let i = 0; i < 10; i++) expect((await tryLogin(s.url, 'analist', 'analist-demo')).status).toBe(200);
    }),
  );

  it(
    'a username is locked by its own failures only, with a Turkish message and Retry-After',
    withServer(async (s) => {
      for (let i = 0; i < 3; i++) expect((await tryLogin(s.url, 'analist', 'wrong')).status).toBe(401);
      // Locked: even the right password is refused until the lock ends.
      const locked = await tryLogin(s.url, 'Analist ', 'analist-demo');
      expect(locked.status).toBe(429);
      expect(locked.body.code).toBe('user_locked');
      expect(locked.body.error).toMatch(/çok fazla hatalı giriş.*15 dakika sonra/);
      expect(Number(locked.retryAfter)).toBeGreaterThan(800);
      expect(Number(locked.retryAfter)).toBeLessThanOrEqual(900);
      // Another user behind the same address is not affected.
      expect((await tryLogin(s.url, 'mudur', 'mudur-demo')).status).toBe(200);
    }),
  );

  it(
    'unknown and known usernames get the same answer',
    withServer(async (s) => {
      const unknown = await tryLogin(s.url, 'no-such-user', 'x');
      const known = await tryLogin(s.url, 'mudur', 'x');
      expect(unknown.status).toBe(401);
      expect(unknown.body).toEqual(known.body);
    }),
  );
});

describe('sessions end', () => {
  it(
    'logout ends the token on the server, not only in the browser',
    withServer(async (s) => {
      const a = await login(s.url, 'mudur');
      const b = await login(s.url, 'mudur');
      expect(await me(s.url, a)).toBe(200);
      const out = await fetch(`${s.url}/api/auth/logout`, { method: 'POST', headers: { authorization: a } });
      expect(out.status).toBe(200);
      expect(await me(s.url, a)).toBe(401);
      const q = await fetch(`${s.url}/cubejs-api/v1/load?query=${encodeURIComponent(JSON.stringify({ measures: ['yardim_masasi.ticket_count'] }))}`, {
        headers: { authorization: a },
      });
      expect(q.status).toBe(401);
      expect(((await q.json()) as any).error).toMatch(/Oturum kapatıldı/);
      // The same user's other session goes on.
      expect(await me(s.url, b)).toBe(200);
    }),
  );

  it(
    '`pano user disable` ends the user’s open sessions within seconds; enable lets them log in again',
    withServer(async (s) => {
      const token = await login(s.url, 'birim');
      expect(await me(s.url, token)).toBe(200);
      const cli = (args: string[]) =>
        run(process.execPath, ['bin/pano.js', ...args], { env: { ...process.env, PANO_DATA_DIR: env.dir, PANO_MODE: 'demo', PANO_LOG_LEVEL: 'silent' } });
      const { stdout } = await cli(['user', 'disable', 'birim']);
      expect(stdout).toMatch(/devre dışı/);
      // Another process changed the app database: this server learns of it within its refresh interval (5 s).
      let status = 200;
      for (const t0 = Date.now(); status === 200 && Date.now() - t0 < 15_000;) {
        await new Promise((r) => setTimeout(r, 250));
        status = await me(s.url, token);
      }
      expect(status).toBe(401);
      expect((await tryLogin(s.url, 'birim', 'birim-demo')).status).toBe(401);
      await cli(['user', 'enable', 'birim']);
      const again = await login(s.url, 'birim');
      expect(await me(s.url, again)).toBe(200);
      // The old token stays ended.
      expect(await me(s.url, token)).toBe(401);
      await expect(cli(['user', 'disable', 'no-such-user'])).rejects.toMatchObject({ stderr: expect.stringMatching(/No user "no-such-user"/) });
    }),
    60_000,
  );
});

describe('headers and hosts', () => {
  it(
    'security headers on the portal and the API',
    withServer(async (s) => {
      for (const path of ['/', '/api/health']) {
        const res = await fetch(`${s.url}${path}`);
        const csp = res.headers.get('content-security-policy') ?? '';
        expect(csp, path).toMatch(/default-src 'self'/);
        expect(csp).toMatch(/script-src 'self'(;|$)/);
        expect(csp).toMatch(/frame-ancestors 'none'/);
        expect(res.headers.get('x-frame-options')).toBe('DENY');
        expect(res.headers.get('x-content-type-options')).toBe('nosniff');
        expect(res.headers.get('referrer-policy')).toBe('same-origin');
      }
    }),
  );

  it('outside demo mode a Host that is not Pano’s address is refused (DNS rebinding); demo mode answers any', async () => {
    const production = loadConfig({
      PANO_MODE: 'production',
      PANO_DATA_DIR: env.dir,
      PANO_LOG_LEVEL: 'silent',
      PANO_SCHEDULER_ENABLED: 'false',
      PANO_PUBLIC_URL: 'https://pano.belediye.example',
      PANO_ALLOWED_HOSTS: 'pano-intranet, 10.1.2.3',
      PANO_JWT_SECRET: 'a-test-secret-of-enough-length',
      PANO_KVKK_SECRET: 'another-test-secret-of-length',
      PANO_GLPI_URL: 'mysql://glpi@127.0.0.1:1/glpi',
      PANO_SMTP_URL: 'smtp://127.0.0.1:1',
    });
    const server = await startServer(production, silentLogger, { port: 0 });
    try {
      const get = (host: string) => server.app.inject({ method: 'GET', url: '/api/health', headers: { host } });
      for (const host of ['pano.belediye.example', 'PANO.belediye.example:443', 'pano-intranet', '10.1.2.3:8080', 'localhost:3000', '127.0.0.1'])
        expect((await get(host)).statusCode, host).toBe(200);
      const refused = await get('attacker.example');
      expect(refused.statusCode).toBe(421);
      expect(refused.json().error).toMatch(/PANO_ALLOWED_HOSTS/);
      // HSTS where the public address is https.
      expect((await get('pano.belediye.example')).headers['strict-transport-security']).toMatch(/max-age=/);
    } finally {
      await server.close();
    }
    const demo = await startServer(env.config, silentLogger, { port: 0 });
    try {
      expect((await demo.app.inject({ method: 'GET', url: '/api/health', headers: { host: 'anything.example' } })).statusCode).toBe(200);
    } finally {
      await demo.close();
    }
  });
});

describe('the address limit (last: it slows every later login from 127.0.0.1)', () => {
  it(
    'failures for made-up users from one address do not lock out a real user behind it',
    withServer(async (s) => {
      for (let i = 0; i < 8; i++) expect((await tryLogin(s.url, `nobody-${i}`, 'guess')).status).toBe(401);
      // The address is over its limit (6): a correct password still logs in (after its turn, a second at most).
      // (analist is locked by the test above; yonetim is another person behind the same address.)
      const ok = await tryLogin(s.url, 'yonetim', 'yonetim-demo');
      expect(ok.status).toBe(200);
      expect(ok.body.token).toBeTruthy();
    }),
    30_000,
  );
});
