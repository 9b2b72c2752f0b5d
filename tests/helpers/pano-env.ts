import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, type PanoConfig } from '../../common/config.js';
import { silentLogger } from '../../common/logger.js';
import { generateDemoSources, runConfiguredEtl } from '../../etl/index.js';

/** The demo's "today" in tests: fixed, so numbers do not move with the clock. */
export const TEST_NOW = new Date('2026-11-25T09:00:00Z');

export interface PanoTestEnv {
  dir: string;
  config: PanoConfig;
  cleanup(): void;
}

/**
 * A throw-away Pano data folder: config for it, optionally the demo GLPI source generated and one ETL run
 * published. Everything real (SQLite source, DuckDB snapshot, SQLite app DB); nothing shared between tests.
 */
export async function createPanoEnv(
  opts: { demo?: boolean; etl?: boolean; scale?: number; env?: Record<string, string>; systems?: string[] } = {},
): Promise<PanoTestEnv> {
  // Most tests need the helpdesk only; a test that wants every source passes systems: SYSTEMS.
  const systems = opts.systems ?? ['helpdesk'];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pano-test-'));
  const config = loadConfig({
    PANO_MODE: 'demo',
    PANO_DATA_DIR: dir,
    PANO_PORT: '0',
    PANO_DEMO_SMTP_PORT: '0',
    PANO_LOG_LEVEL: 'silent',
    PANO_SCHEDULER_ENABLED: 'false',
    ...opts.env,
  });
  if (opts.demo !== false) await generateDemoSources(config, { seed: 7, scale: opts.scale ?? 0.1, now: TEST_NOW, systems });
  if (opts.etl !== false && opts.demo !== false) {
    const r = await runConfiguredEtl(config, silentLogger, { now: () => TEST_NOW, sources: systems });
    if (!r.manifest) throw new Error(`test ETL run published nothing: ${JSON.stringify(r.sources)}`);
  }
  return { dir, config, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** Logs in through the real HTTP endpoint and returns the token. */
export async function login(baseUrl: string, username: string, password = `${username}-demo`): Promise<string> {
  const res = await fetch(`${baseUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (res.status !== 200) throw new Error(`login ${username} failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { token: string }).token;
}
