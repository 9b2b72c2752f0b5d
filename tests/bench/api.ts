/**
 * `npm run bench:api` — the dashboards' queries through Pano's Cube API against the same generated SQL run
 * directly on DuckDB, in the same run: p50/p95 latency and their ratio, cache-hit latency, and throughput
 * with 50 concurrent clients; at ≈ 1 M and ≈ 10 M ticket rows (10 M made by replicating the 1 M facts).
 *
 *   npm run bench:api                    # 1 M and 10 M rows (several minutes)
 *   npm run bench:api -- --rows 100000   # a quicker look at one size
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { loadConfig } from '../../common/config.js';
import { helpdeskQueries } from '../../common/definitions/kpi/helpdesk.js';
import { silentLogger } from '../../common/logger.js';
import { generateDemoSources, runConfiguredEtl, SnapshotStore } from '../../etl/index.js';
import { startServer } from '../../portal/server/index.js';
import { issueToken } from '../../portal/server/auth.js';
import { markdownTable, peakRssMb, writeResult } from './util.js';

const arg = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const sizes = arg('rows') ? [Number(arg('rows'))] : [1_000_000, 10_000_000];
const ITER = Number(arg('iterations') ?? 15);

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pano-bench-api-'));
const config = loadConfig({ PANO_MODE: 'demo', PANO_DATA_DIR: dir, PANO_LOG_LEVEL: 'silent', PANO_PORT: '0' });
const now = new Date();
const base = Math.min(sizes[0], 1_000_000);
console.log(`Generating ≈ ${base.toLocaleString('tr-TR')} tickets …`);
// The dashboards measured here are the helpdesk's: only its source is generated and loaded.
await generateDemoSources(config, { seed: 42, scale: base / 40_000, now, systems: ['helpdesk'] });
await runConfiguredEtl(config, silentLogger, { now: () => now, sources: ['helpdesk'] });
const store = new SnapshotStore(config.warehouse.dir);

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
const rows: string[][] = [];

for (const size of sizes) {
  await amplify(size);
  const server = await startServer(config, silentLogger, { port: 0 });
  const token = issueToken({ username: 'mudur', displayName: 'bench', role: 'mudur', unitCode: null }, config.auth.jwtSecret, '1h');
  const raw = await DuckDBInstance.create(store.pathOf(store.current()!), { access_mode: 'READ_ONLY' });
  const rc = await raw.connect();
  await rc.run("SET TimeZone = 'UTC'");
  const facts = Number((await (await rc.runAndReadAll('SELECT count(*) n FROM marts.fct_tickets')).getRowObjectsJson())[0].n);

  const api = async (query: unknown, cacheBust: boolean) => {
    if (cacheBust) server.queries.clearCache();
    const t = performance.now();
    const res = await fetch(`${server.url}/cubejs-api/v1/load`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: token },
      body: JSON.stringify({ query, queryType: 'multi' }),
    });
    if (res.status !== 200) throw new Error(`${res.status} ${await res.text()}`);
    await res.json();
    return performance.now() - t;
  };

  for (const [name, query] of Object.entries(helpdeskQueries(now))) {
    if (name === 'openedThisMonth') continue; // two SQL queries; measured through the others
    const sql = (
      await (
        await fetch(`${server.url}/cubejs-api/v1/sql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: token },
          body: JSON.stringify({ query }),
        })
      ).json()
    ).sql.sql;
    const apiMs: number[] = [];
    const rawMs: number[] = [];
    const hitMs: number[] = [];
    await api(query, true); // warm up compile caches
    for (let i = 0; i < ITER; i++) {
      apiMs.push(await api(query, true));
      const t = performance.now();
      const prepared = await rc.prepare(sql[0].replace(/\?/g, (_m: string, off: number) => `$${sql[0].slice(0, off).split('?').length}`));
      sql[1].forEach((v: unknown, j: number) => prepared.bindVarchar(j + 1, String(v)));
      // rows read into JS objects, as any client of DuckDB would (the API converts them the same way)
      (await prepared.runAndReadAll()).getRowObjectsJson();
      rawMs.push(performance.now() - t);
      hitMs.push(await api(query, false));
    }
    const p50 = pct(apiMs, 50);
    const r50 = pct(rawMs, 50);
    rows.push([
      facts.toLocaleString('tr-TR'),
      name,
      p50.toFixed(1),
      pct(apiMs, 95).toFixed(1),
      r50.toFixed(1),
      pct(rawMs, 95).toFixed(1),
      (p50 / r50).toFixed(2),
      pct(hitMs, 50).toFixed(2),
    ]);
  }

  // Throughput: 50 clients, each running the dashboard's queries (cache on, as in use), for 10 s.
  const queries = Object.values(helpdeskQueries(now));
  let done = 0;
  const until = Date.now() + 10_000;
  await Promise.all(
    Array.from({ length: 50 }, async (_x, i) => {
      let k = i;
      while (Date.now() < until) {
        await api(queries[k++ % queries.length], false);
        done++;
      }
    }),
  );
  rows.push([facts.toLocaleString('tr-TR'), `50 clients, 10 s`, '', '', '', '', '', `${(done / 10).toFixed(0)} req/s`]);
  rc.closeSync();
  raw.closeSync();
  await server.close();
}

const table = markdownTable(['fact rows', 'query', 'API p50 ms', 'API p95 ms', 'DuckDB p50 ms', 'DuckDB p95 ms', 'API/DuckDB p50', 'cache hit p50 ms'], rows);
const text = `# API benchmark (${os.cpus().length} cores, Node ${process.version})\n\n${table}\n\nPeak RSS: ${peakRssMb()} MB\n`;
console.log(`\n${text}`);
writeResult('api', text);
fs.rmSync(dir, { recursive: true, force: true });

/** Publishes a snapshot whose fact table has `target` rows, by replicating the loaded tickets with new ids. */
async function amplify(target: number): Promise<void> {
  const cur = store.current()!;
  const id = SnapshotStore.newId();
  const file = store.beginBuild(id);
  fs.copyFileSync(store.pathOf(cur), file);
  const db = await DuckDBInstance.create(file);
  const c = await db.connect();
  const n = Number((await (await c.runAndReadAll('SELECT count(*) n FROM marts.fct_tickets')).getRowObjectsJson())[0].n);
  const copies = Math.max(1, Math.round(target / n));
  if (copies > 1) {
    await c.run(`CREATE TABLE marts.fct_big AS SELECT * REPLACE (ticket_id + k * 10000000 AS ticket_id) FROM marts.fct_tickets, range(${copies}) r(k)`);
    await c.run('DROP TABLE marts.fct_tickets');
    await c.run('ALTER TABLE marts.fct_big RENAME TO fct_tickets');
  }
  await c.run('CHECKPOINT');
  c.closeSync();
  db.closeSync();
  store.publish(file, { snapshotId: id, runId: cur.runId, sources: cur.sources });
}
