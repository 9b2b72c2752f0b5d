import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../common/logger.js';
import { SYSTEMS } from '../../etl/index.js';
import { SnapshotStore } from '../../etl/warehouse/snapshots.js';
import { startServer, type RunningServer } from '../../portal/server/index.js';
import { checkModel, DEFAULT_CATALOGUE_FILE, DEFAULT_MODEL_DIR, renderCheckReport, type ModelCheckResult } from '../../portal/server/semantic/model-check.js';
import { renderCatalogueMarkdown, type KpiCatalogue } from '../../portal/server/semantic/model-docs.js';
import { WarehouseReader } from '../../portal/server/semantic/warehouse/reader.js';
import { createPanoEnv, login, type PanoTestEnv } from '../helpers/pano-env.js';

// The CI gate of the semantic model: the real model/ compiles, every member of every public view answers on a
// snapshot with all five sources, every measure is documented, and /meta equals the committed
// model/meta.snapshot.json — a renamed or removed member fails here until the snapshot changes in the same commit.
// The committed KPI catalogue (docs/kpi-katalogu.md) must be the one the model produces.
const run = promisify(execFile);
const ROOT = path.resolve(DEFAULT_MODEL_DIR, '..');
const SLOW = 600_000;

let env: PanoTestEnv;
let warehouse: WarehouseReader;
let server: RunningServer;

beforeAll(async () => {
  env = await createPanoEnv({ systems: [...SYSTEMS], scale: 0.05 });
  warehouse = new WarehouseReader(new SnapshotStore(env.config.warehouse.dir), silentLogger);
  server = await startServer(env.config, silentLogger, { port: 0 });
}, SLOW);

afterAll(async () => {
  await server?.close();
  await warehouse?.close();
  env?.cleanup();
});

describe('model gate', () => {
  let result: ModelCheckResult;

  it(
    'the real model passes `pano model check --strict` on a snapshot of every source and equals meta.snapshot.json',
    async () => {
      result = await checkModel({ warehouse, strict: true, catalogue: true });
      expect(
        result.ok,
        `\n${renderCheckReport(result)}\nIf the change is intended: npx pano model check --update --no-run, and commit model/meta.snapshot.json and docs/kpi-katalogu.md`,
      ).toBe(true);
      expect(result.changes).toEqual([]);
      expect(result.runs.length).toBeGreaterThan(0);
      expect(result.runs.filter((r) => r.status !== 'ok')).toEqual([]);
      // every measure of every public view was queried once
      expect(result.runs.filter((r) => r.kind === 'measure')).toHaveLength(result.counts.measures);
    },
    SLOW,
  );

  it('the committed KPI catalogue is the one the model produces', () => {
    expect(result?.catalogue, 'the check above ran').toBeDefined();
    const committed = fs.existsSync(DEFAULT_CATALOGUE_FILE) ? fs.readFileSync(DEFAULT_CATALOGUE_FILE, 'utf8') : '';
    expect(
      committed === renderCatalogueMarkdown(result.catalogue!),
      `${path.relative(ROOT, DEFAULT_CATALOGUE_FILE)} is out of date: run npx pano model check --update --no-run (or npx pano model docs)`,
    ).toBe(true);
  });

  it(
    '`pano model check --no-run --json` (the CI form without a warehouse) exits 0 on the real model',
    async () => {
      const out = await run(process.execPath, [path.join(ROOT, 'bin/pano.js'), 'model', 'check', '--no-run', '--json'], {
        cwd: ROOT,
        timeout: SLOW,
        maxBuffer: 64 * 1024 * 1024,
      }).catch((e) => ({ stdout: String(e.stdout ?? ''), stderr: String(e.stderr ?? ''), code: e.code as number }));
      const json = JSON.parse(out.stdout) as ModelCheckResult; // standard output is the JSON alone
      expect(json.ok, JSON.stringify(json.problems, null, 2)).toBe(true);
      expect('code' in out ? out.code : 0).toBe(0);
      expect(json.steps.run.status).toBe('skipped');
      expect(json.steps.contract.status).toBe('ok');
    },
    SLOW,
  );
});

describe('GET /api/model/catalogue', () => {
  const get = (p: string, token?: string) => fetch(`${server.url}${p}`, { headers: token ? { authorization: token } : {} });

  it('needs a login', async () => {
    expect((await get('/api/model/catalogue')).status).toBe(401);
  });

  it(
    'shows each role exactly the measures /meta shows it, with title, formula, source and article',
    async () => {
      const counts: Record<string, number> = {};
      for (const user of ['admin', 'mudur', 'birim']) {
        const token = await login(server.url, user);
        const res = await get('/api/model/catalogue', token);
        expect(res.status).toBe(200);
        const catalogue = (await res.json()) as KpiCatalogue;
        const meta = (await (await get('/cubejs-api/v1/meta', token)).json()) as {
          cubes: Array<{ name: string; type: string; measures: Array<{ name: string }> }>;
        };
        const fromMeta = meta.cubes
          .filter((c) => c.type === 'view')
          .flatMap((c) => c.measures.map((m) => m.name))
          .sort();
        const listed = catalogue.views.flatMap((v) => v.measures.map((m) => m.name)).sort();
        expect(listed, user).toEqual(fromMeta);
        for (const m of catalogue.views.flatMap((v) => v.measures)) {
          expect(m.title, m.name).toBeTruthy();
          expect(m.title_en, m.name).toBeTruthy();
          expect(m.formula, m.name).toBeTruthy();
          expect(m.source, m.name).toBeTruthy();
          expect(m.article, m.name).toBeTruthy();
        }
        counts[user] = listed.length;
      }
      // person-level HR measures (e.g. sick leave) are for ik and admin only
      expect(counts.admin).toBeGreaterThan(counts.mudur);
    },
    SLOW,
  );
});
