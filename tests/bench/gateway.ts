/**
 * `npm run bench:gateway` — what one request can cost everybody else, on a real server process:
 *   1. memory: the server's RSS while it answers 60 different large ungrouped queries (≈ 7 MB of JSON each);
 *   2. stalls: `/api/health` probed every 20 ms while one heavy request runs (2 000 members, the largest query
 *      the gateway admits, a 50 000-row answer), against the same probe on an idle server in the same run;
 *   3. login timing: a made-up username against a real one with a wrong password (the answer time must not tell
 *      which usernames exist).
 *
 *   npm run bench:gateway                                   # demo data generated in a temporary folder
 *   npm run bench:gateway -- --data ./data                  # an existing data folder (demo or real)
 *   npm run bench:gateway -- --data ./data --checkout ../old  # the same measurements against another checkout
 *     (an older checkout may refuse an app database migrated by a newer one: give it a copy of the data folder
 *     without pano.sqlite)
 *
 * The server runs as a child process (`pano serve`), so its RSS is its own.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { loadConfig } from '../../common/config.js';
import { silentLogger } from '../../common/logger.js';
import { generateDemoSources, runConfiguredEtl } from '../../etl/index.js';
import { markdownTable, writeResult } from './util.js';

const arg = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const checkout = path.resolve(arg('checkout') ?? '.');
let dataDir = arg('data') ? path.resolve(arg('data')!) : '';
if (!dataDir) {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pano-bench-gateway-'));
  const config = loadConfig({ PANO_MODE: 'demo', PANO_DATA_DIR: dataDir, PANO_LOG_LEVEL: 'silent' });
  console.log('Generating the demo helpdesk (scale 1) …');
  const now = new Date();
  await generateDemoSources(config, { seed: 42, scale: 1, now, systems: ['helpdesk'] });
  await runConfiguredEtl(config, silentLogger, { now: () => now, sources: ['helpdesk'] });
}

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });

const port = await freePort();
const base = `http://127.0.0.1:${port}`;
const child: ChildProcess = spawn(process.execPath, ['bin/pano.js', 'serve', '--no-scheduler', '--port', String(port)], {
  cwd: checkout,
  // Login limits raised so that section 3's failed logins are timed, not locked out.
  env: {
    ...process.env,
    PANO_DATA_DIR: dataDir,
    PANO_DEMO_SMTP_PORT: '0',
    PANO_LOG_LEVEL: 'error',
    PANO_MODE: 'demo',
    PANO_LOGIN_MAX_FAILURES: '1000',
    PANO_LOGIN_IP_MAX_FAILURES: '100000',
  },
  stdio: ['ignore', 'ignore', 'inherit'],
});
const stop = () => child.kill('SIGTERM');
process.on('exit', stop);
for (let i = 0; ; i++) {
  try {
    if ((await fetch(`${base}/api/health`)).ok) break;
  } catch {
    // not listening yet
  }
  if (child.exitCode !== null) throw new Error(`the server exited (${child.exitCode}) before answering: see its error above`);
  if (i > 240) throw new Error('the server did not start within 120 s');
  await new Promise((r) => setTimeout(r, 500));
}

const rssMb = (field: 'VmRSS' | 'VmHWM') => {
  const status = fs.readFileSync(`/proc/${child.pid}/status`, 'utf8');
  return Math.round(Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)![1]) / 1024);
};
const token = (
  await (
    await fetch(`${base}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'analist', password: 'analist-demo' }),
    })
  ).json()
).token as string;
const load = async (query: unknown) => {
  const t = performance.now();
  const res = await fetch(`${base}/cubejs-api/v1/load`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: token },
    body: JSON.stringify({ query }),
  });
  const text = await res.text();
  return { status: res.status, ms: performance.now() - t, bytes: text.length, error: res.status === 200 ? '' : (JSON.parse(text).error as string) };
};
const meta = await (await fetch(`${base}/cubejs-api/v1/meta`, { headers: { authorization: token } })).json();
const view = meta.cubes.find((c: any) => c.name === 'yardim_masasi');
const dims: string[] = view.dimensions.filter((d: any) => d.type !== 'time').map((d: any) => d.name);

// ── 1. memory under large answers ────────────────────────────────────────────────
const wide = dims.slice(0, 12);
const large = (i: number) => ({ dimensions: wide, ungrouped: true, limit: 50_000, order: [[wide[i % wide.length], i % 2 ? 'asc' : 'desc']], offset: i });
await load({ measures: [view.measures[0].name] }); // warm: compile caches, first snapshot read
const memRows: string[][] = [];
const rssStart = rssMb('VmRSS');
memRows.push(['before', '0', '–', String(rssStart), String(rssMb('VmHWM'))]);
let bytes = 0;
for (let i = 1; i <= 60; i++) {
  const r = await load(large(i));
  if (r.status !== 200) throw new Error(`large answer ${i}: ${r.status} ${r.error}`);
  bytes = r.bytes;
  if (i === 12 || i === 30 || i === 60)
    memRows.push([`after ${i} answers`, String(i), (bytes / 1e6).toFixed(1).replace('.', ','), String(rssMb('VmRSS')), String(rssMb('VmHWM'))]);
}

// ── 2. the health probe beside one heavy request ─────────────────────────────────
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
// The probe runs in a worker thread of its own: this process reading an 18 MB answer must not delay it.
const PROBE = `
const { parentPort, workerData } = require('node:worker_threads');
const lat = []; let done = false;
parentPort.on('message', () => { done = true; });
(async () => {
  while (!done) {
    const t = performance.now();
    await fetch(workerData + '/api/health').then((r) => r.text());
    lat.push(performance.now() - t);
    await new Promise((r) => setTimeout(r, 20));
  }
  parentPort.postMessage(lat);
})();`;
async function probeDuring(work: () => Promise<{ status: number; ms: number; error: string }>) {
  const worker = new Worker(PROBE, { eval: true, workerData: base });
  const lat = new Promise<number[]>((resolve) => worker.once('message', resolve));
  await new Promise((r) => setTimeout(r, 150));
  const result = await work();
  await new Promise((r) => setTimeout(r, 100));
  worker.postMessage('stop');
  const out = await lat;
  await worker.terminate();
  return { lat: out, result };
}
// 2 000 members of one view (the helpdesk's dimensions over and over), as the attack sent them.
const members2000 = Array.from({ length: 2000 }, (_, i) => dims[i % dims.length]);
const scenarios: Array<[string, () => Promise<{ status: number; ms: number; error: string }>]> = [
  ['idle (baseline)', async () => (await new Promise((r) => setTimeout(r, 1500)), { status: 0, ms: 1500, error: '' })],
  ['a query of 2 000 members', () => load({ dimensions: members2000, limit: 1 })],
  ['100 members (the most admitted)', () => load({ measures: view.measures.slice(0, 19).map((m: any) => m.name), dimensions: dims.slice(0, 20), limit: 100 })],
  ['an ungrouped 50 000-row answer', () => load({ ...large(999), offset: 0 })],
];
const probeRows: string[][] = [];
let idleP99 = 1;
for (const [name, work] of scenarios) {
  const { lat, result } = await probeDuring(work);
  const p99 = pct(lat, 99);
  if (name.startsWith('idle')) idleP99 = p99;
  probeRows.push([
    name,
    result.status ? `${result.status}${result.error ? ` (${result.error.slice(0, 60)}…)` : ''}` : '–',
    result.ms.toFixed(0),
    String(lat.length),
    pct(lat, 50).toFixed(1).replace('.', ','),
    p99.toFixed(1).replace('.', ','),
    Math.max(...lat)
      .toFixed(1)
      .replace('.', ','),
    `${(p99 / idleP99).toFixed(1).replace('.', ',')}×`,
  ]);
}

// ── 3. login: does the answer time tell whether a username exists? ───────────────
const loginMs = async (username: string) => {
  const t = performance.now();
  const res = await fetch(`${base}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: 'wrong-password' }),
  });
  await res.text();
  return { ms: performance.now() - t, status: res.status };
};
const known = ['analist', 'mudur', 'birim', 'admin', 'yonetim'];
const loginRows: string[][] = [];
const timings: Record<string, number> = {};
for (const [name, user] of [
  ['made-up username', (i: number) => `nobody-${i}`],
  ['real username, wrong password', (i: number) => known[i % known.length]!],
] as const) {
  const runs: Array<{ ms: number; status: number }> = [];
  for (let i = 0; i < 30; i++) runs.push(await loginMs(user(i)));
  const ms = runs.map((r) => r.ms);
  timings[name] = pct(ms, 50);
  const statuses = [...new Set(runs.map((r) => r.status))].join(', ');
  loginRows.push([name, statuses, String(runs.length), pct(ms, 50).toFixed(1).replace('.', ','), pct(ms, 90).toFixed(1).replace('.', ',')]);
}
loginRows.forEach((r, i) =>
  r.push(i === 0 ? '1,0×' : `${(timings['real username, wrong password']! / timings['made-up username']!).toFixed(1).replace('.', ',')}×`),
);
stop();

const out = [
  `# bench:gateway — ${new Date().toISOString()} · ${os.cpus().length} cores · checkout ${checkout}`,
  '',
  `## Server memory under large answers (each ≈ ${(bytes / 1e6).toFixed(1).replace('.', ',')} MB of JSON)`,
  '',
  markdownTable(['moment', 'answers', 'MB each', 'RSS MB', 'peak RSS MB'], memRows),
  '',
  '## /api/health every 20 ms beside one request',
  '',
  markdownTable(['request', 'status', 'request ms', 'probes', 'health p50 ms', 'health p99 ms', 'health max ms', 'p99 vs idle'], probeRows),
  '',
  '## Failed logins: answer time',
  '',
  markdownTable(['login', 'status', 'tries', 'p50 ms', 'p90 ms', 'p50 vs made-up'], loginRows),
  '',
].join('\n');
console.log(out);
writeResult('gateway', out);
process.exit(0);
