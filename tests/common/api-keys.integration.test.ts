import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import cube from '@cubejs-client/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey, listApiKeys, revokeApiKey } from '../../common/api-keys.js';
import { openAppDb, type AppDb } from '../../common/db/app-db.js';
import { D, M } from '../../common/definitions/kpi/helpdesk.js';
import { silentLogger } from '../../common/logger.js';
import { startServer, type RunningServer } from '../../portal/server/index.js';
import { createPanoEnv, type PanoTestEnv } from '../helpers/pano-env.js';

// API keys for services: the same access policies as a user with the key's role, refused once revoked or expired,
// never stored in clear; created, listed and revoked from the CLI.
const run = promisify(execFile);
const PANO = path.resolve('bin/pano.js');
let env: PanoTestEnv;
let server: RunningServer;
let db: AppDb;

const load = (key: string, query: unknown) =>
  fetch(`${server.url}/cubejs-api/v1/load`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: key },
    body: JSON.stringify({ query }),
  });

beforeAll(async () => {
  env = await createPanoEnv();
  server = await startServer(env.config, silentLogger, { port: 0 });
  db = await openAppDb(env.config.appDbUrl);
});
afterAll(async () => {
  await db?.destroy();
  await server?.close();
  env?.cleanup();
});

describe('API keys', () => {
  it('an analist key queries the API through @cubejs-client/core', async () => {
    const { key } = await createApiKey(db, { name: 'raporlama-servisi', role: 'analist' });
    expect(key).toMatch(/^pano_[A-Za-z0-9_-]{43}$/);
    const api = cube(key, { apiUrl: `${server.url}/cubejs-api/v1` });
    const rows = (await api.load({ measures: [M.ticketCount], dimensions: [D.unitCode] })).tablePivot();
    expect(rows.length).toBeGreaterThan(10);
    const row = await db('api_keys').where({ name: 'raporlama-servisi' }).first();
    expect(JSON.stringify(row)).not.toContain(key);
    expect(row.key_hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('a birim key sees only its unit', async () => {
    const { key } = await createApiKey(db, { name: 'fen-panosu', role: 'birim', unitCode: 'FEN_ISLERI' });
    const res = await load(key, { measures: [M.ticketCount], dimensions: [D.unitCode] });
    expect(res.status).toBe(200);
    const body = (await res.json()) as any;
    expect(body.data.map((r: any) => r[D.unitCode])).toEqual(['FEN_ISLERI']);
  });

  it('unknown, revoked and expired keys get 401 with a reason and no key in the message', async () => {
    const unknown = await load('pano_' + 'x'.repeat(43), { measures: [M.ticketCount] });
    expect(unknown.status).toBe(401);
    expect(((await unknown.json()) as any).error).toBe('Invalid API key');

    const { key: revoked } = await createApiKey(db, { name: 'eski-servis', role: 'analist' });
    expect(await revokeApiKey(db, 'eski-servis')).toBe(true);
    const r = await load(revoked, { measures: [M.ticketCount] });
    expect(r.status).toBe(401);
    expect(((await r.json()) as any).error).toBe('API key revoked');

    const { key: expired } = await createApiKey(db, { name: 'gecici', role: 'analist', expiresInDays: 1 });
    await db('api_keys')
      .where({ name: 'gecici' })
      .update({ expires_at: new Date(Date.now() - 1000) });
    const e = await load(expired, { measures: [M.ticketCount] });
    expect(e.status).toBe(401);
    const msg = ((await e.json()) as any).error;
    expect(msg).toBe('API key expired');
    expect(msg).not.toContain(expired);
  });

  it('refuses bad input when creating keys', async () => {
    await expect(createApiKey(db, { name: 'x', role: 'analist' })).rejects.toThrow(/Invalid key name/);
    await expect(createApiKey(db, { name: 'birimsiz', role: 'birim' })).rejects.toThrow(/needs --unit/);
    await expect(createApiKey(db, { name: 'rolsuz', role: 'root' })).rejects.toThrow(/Unknown role/);
    await expect(createApiKey(db, { name: 'raporlama-servisi', role: 'analist' })).rejects.toThrow(/already exists/);
  });

  it('CLI: create prints the key once, list shows only its prefix, revoke stops it', async () => {
    const cliEnv = { ...process.env, PANO_MODE: 'demo', PANO_DATA_DIR: env.dir, PANO_LOG_LEVEL: 'silent' };
    const created = await run('node', [PANO, 'apikey', 'create', 'cli-servis', '--role', 'yonetim', '--expires', '30'], { env: cliEnv });
    const key = created.stdout.trim();
    expect(key).toMatch(/^pano_/);
    expect(created.stderr).toContain('cli-servis');
    const list = await run('node', [PANO, 'apikey', 'list'], { env: cliEnv });
    expect(list.stdout).toContain('cli-servis');
    expect(list.stdout).toContain(key.slice(0, 12));
    expect(list.stdout).not.toContain(key);
    expect((await load(key, { measures: [M.ticketCount] })).status).toBe(200);
    await run('node', [PANO, 'apikey', 'revoke', 'cli-servis'], { env: cliEnv });
    expect((await listApiKeys(db)).find((k) => k.name === 'cli-servis')?.revokedAt).not.toBeNull();
    const again = await run('node', [PANO, 'apikey', 'revoke', 'cli-servis'], { env: cliEnv }).catch((e) => e);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('No active API key named "cli-servis"');
  });
});
