import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../common/logger.js';
import { SnapshotStore } from '../../etl/warehouse/snapshots.js';
import {
  checkModel,
  DEFAULT_MODEL_DIR,
  diffContract,
  parseContract,
  renderCheckReport,
  SNAPSHOT_FILE_NAME,
  type ModelCheckResult,
} from '../../portal/server/semantic/model-check.js';
import { WarehouseReader } from '../../portal/server/semantic/warehouse/reader.js';
import { createPanoEnv, type PanoTestEnv } from '../helpers/pano-env.js';

// `pano model check` on a temp copy of model/: the real model passes; a renamed or removed member, an undocumented
// measure and a measure whose SQL is broken fail with the member named; `update` makes it pass again.
const run = promisify(execFile);
const ROOT = path.resolve(DEFAULT_MODEL_DIR, '..');
const SLOW = 600_000;

const FIXTURE_CUBE = 'cubes/governance_fixture/governance_fixture.yml';
const FIXTURE_VIEW = 'views/denetim_fikstur.yml';

/** A fixture cube + view over marts.dim_units (in every snapshot), and one over a table no snapshot has. */
function fixtureCube(measures: string): string {
  return `cubes:
  - name: governance_fixture
    sql_table: marts.dim_units
    public: false
    title: Denetim fikstürü
    meta:
      title_en: Governance fixture
    dimensions:
      - name: unit_code
        sql: unit_code
        type: string
        primary_key: true
        public: true
        title: Müdürlük kodu
        meta:
          title_en: Unit code
    measures:
${measures}
  - name: governance_absent
    sql_table: marts.governance_never_loaded
    public: false
    title: Yüklenmemiş fikstür
    meta:
      title_en: Fixture that is never loaded
    dimensions:
      - name: absent_key
        sql: absent_key
        type: string
        primary_key: true
        public: true
        title: Anahtar
        meta:
          title_en: Key
    measures:
      - name: absent_rows
        type: count
        title: Yüklenmemiş satırlar
        description: "Satır sayısı. Kaynak: hiçbir kaynak. Madde 11(3)-II f."
        meta: { title_en: Rows never loaded, format: number, source: none, article: 11(3)-II f }
`;
}

const measure = (name: string, body: { type?: string; sql?: string; title: string; description?: string; titleEn: string; article?: string }) =>
  [
    `      - name: ${name}`,
    `        type: ${body.type ?? 'sum'}`,
    `        sql: "${body.sql ?? '{CUBE}.staff_count'}"`,
    `        title: ${body.title}`,
    ...(body.description === undefined ? [] : [`        description: "${body.description}"`]),
    `        meta: { title_en: ${body.titleEn}, format: number, source: Birim listesi, article: ${body.article ?? '11(3)-II f'} }`,
  ].join('\n');

const MEASURES = {
  units: measure('fixture_units', {
    type: 'count',
    sql: '{CUBE}.unit_code',
    title: 'Fikstür birim sayısı',
    titleEn: 'Fixture units',
    description: 'Birimler: COUNT(birim). Kaynak: birim listesi. Madde 11(3)-II f.',
  }),
  staff: (name: string) =>
    measure(name, {
      title: 'Fikstür personel toplamı',
      titleEn: 'Fixture staff',
      description: 'Personel toplamı: SUM(staff_count). Kaynak: birim listesi. Madde 11(3)-II e.',
      article: '11(3)-II e',
    }),
  average: measure('fixture_staff_avg', {
    type: 'avg',
    title: 'Fikstür ortalama personel',
    titleEn: 'Fixture average staff',
    description: 'Ortalama personel: AVG(staff_count). Kaynak: birim listesi. Madde 11(3)-II b.',
    article: '11(3)-II b',
  }),
  documented: (description: string | undefined) =>
    measure('fixture_largest_unit', { type: 'max', title: 'Fikstür en büyük birim', titleEn: 'Fixture largest unit', description }),
  broken: measure('fixture_broken', {
    sql: '{CUBE}.no_such_column',
    title: 'Fikstür bozuk ölçü',
    titleEn: 'Fixture broken measure',
    description: 'Olmayan bir sütun. Kaynak: birim listesi. Madde 11(3)-II f.',
  }),
};

const FIXTURE_VIEWS = `views:
  - name: denetim_fikstur
    title: Denetim fikstürü
    description: Model denetimi testinin görünümü (test view of the model check).
    meta:
      title_en: Governance fixture
    cubes:
      - join_path: governance_fixture
        includes: "*"
    access_policy:
      - groups: [admin]
        row_level:
          allow_all: true
  - name: denetim_yuklenmemis
    title: Yüklenmemiş fikstür
    description: Kaynağı hiçbir anlık görüntüde olmayan görünüm (a view whose source is never loaded).
    meta:
      title_en: Fixture never loaded
    cubes:
      - join_path: governance_absent
        includes: "*"
    access_policy:
      - groups: [admin]
        row_level:
          allow_all: true
`;

let tmp: string;
let modelDir: string;
let env: PanoTestEnv;
let warehouse: WarehouseReader;

const write = (rel: string, text: string) => {
  fs.mkdirSync(path.dirname(path.join(modelDir, rel)), { recursive: true });
  fs.writeFileSync(path.join(modelDir, rel), text);
};
const report = (r: ModelCheckResult) => `\n${renderCheckReport(r)}`;
const errors = (r: ModelCheckResult, step?: string) => r.problems.filter((p) => p.severity === 'error' && (!step || p.step === step));

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pano-model-check-'));
  modelDir = path.join(tmp, 'model');
  fs.cpSync(DEFAULT_MODEL_DIR, modelDir, { recursive: true });
  // The helpdesk only: the other domains' views are then "not loaded" and must be skipped, not failed.
  env = await createPanoEnv({ systems: ['helpdesk'], scale: 0.05 });
  warehouse = new WarehouseReader(new SnapshotStore(env.config.warehouse.dir), silentLogger);
}, SLOW);

afterAll(async () => {
  await warehouse?.close();
  env?.cleanup();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

describe('pano model check on a copy of model/', () => {
  it(
    'passes on the real model and its committed snapshot',
    async () => {
      expect(fs.existsSync(path.join(modelDir, SNAPSHOT_FILE_NAME)), 'model/meta.snapshot.json is committed').toBe(true);
      const r = await checkModel({ modelDir, run: false });
      expect(r.ok, report(r)).toBe(true);
      expect(r.steps.compile.status).toBe('ok');
      expect(r.steps.run.status).toBe('skipped');
      expect(r.counts.views).toBeGreaterThan(0);
      expect(r.counts.measures).toBeGreaterThan(0);
    },
    SLOW,
  );

  it(
    'fails when a view is added without updating the snapshot; --update records it',
    async () => {
      write(
        FIXTURE_CUBE,
        fixtureCube(
          [
            MEASURES.units,
            MEASURES.staff('fixture_staff'),
            MEASURES.average,
            MEASURES.documented('En büyük birimin personeli: MAX(staff_count). Kaynak: birim listesi. Madde 11(3)-II f.'),
          ].join('\n'),
        ),
      );
      write(FIXTURE_VIEW, FIXTURE_VIEWS);
      const before = await checkModel({ modelDir, run: false });
      expect(before.ok).toBe(false);
      expect(before.changes).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ view: 'denetim_fikstur', kind: 'view', change: 'added' }),
          expect.objectContaining({ view: 'denetim_yuklenmemis', kind: 'view', change: 'added' }),
        ]),
      );
      expect(
        errors(before, 'contract')
          .map((p) => p.message)
          .join('\n'),
      ).toContain('pano model check --update');

      const updated = await checkModel({ modelDir, run: false, update: true });
      expect(updated.steps.contract.status).toBe('updated');
      expect(updated.ok, report(updated)).toBe(true);
      const snapshot = parseContract(fs.readFileSync(path.join(modelDir, SNAPSHOT_FILE_NAME), 'utf8'));
      expect(snapshot.views.denetim_fikstur.measures.fixture_staff).toEqual({ type: 'number', agg: 'sum', format: 'number' });
      expect(snapshot.views.denetim_fikstur.dimensions.unit_code).toEqual({ type: 'string' });
    },
    SLOW,
  );

  it(
    'names a renamed measure (old and new), a removed one, an undocumented one and one whose SQL is broken',
    async () => {
      write(FIXTURE_CUBE, fixtureCube([MEASURES.units, MEASURES.staff('fixture_staff_total'), MEASURES.documented(undefined), MEASURES.broken].join('\n')));
      const r = await checkModel({ modelDir, warehouse, strict: true });
      expect(r.ok).toBe(false);
      const text = report(r);

      // 4. contract: renamed = removed + added, named both ways; removed; the new broken measure is an addition
      expect(r.changes).toEqual(
        expect.arrayContaining([
          { view: 'denetim_fikstur', kind: 'measure', change: 'renamed', from: 'denetim_fikstur.fixture_staff', member: 'denetim_fikstur.fixture_staff_total' },
          { view: 'denetim_fikstur', kind: 'measure', change: 'removed', member: 'denetim_fikstur.fixture_staff_avg' },
          { view: 'denetim_fikstur', kind: 'measure', change: 'added', member: 'denetim_fikstur.fixture_broken' },
        ]),
      );
      expect(r.changes).toHaveLength(3);
      const messages = errors(r, 'contract')
        .map((p) => p.message)
        .join('\n');
      expect(messages).toContain('denetim_fikstur.fixture_staff → denetim_fikstur.fixture_staff_total');
      expect(messages).toMatch(/Kaldırıldı \(removed\) .*denetim_fikstur\.fixture_staff_avg/);
      expect(messages).toContain('pano model check --update');
      expect(text).toContain('denetim_fikstur.fixture_staff_avg');

      // 3. documentation: the measure without a description, in the file that defines it
      const docs = errors(r, 'docs').filter((p) => p.view?.startsWith('denetim_'));
      expect(docs.map((p) => p.member)).toEqual(['denetim_fikstur.fixture_largest_unit']);
      expect(docs[0].file).toBe(FIXTURE_CUBE);
      expect(docs[0].message).toMatch(/açıklama \(description\) yok/);

      // 2. run: the broken SQL fails naming the measure and the warehouse's error; everything else ran
      const runs = errors(r, 'run');
      const broken = runs.find((p) => p.member === 'denetim_fikstur.fixture_broken');
      expect(broken, text).toBeDefined();
      expect(broken!.message).toMatch(/no_such_column/);
      expect(r.runs.find((x) => x.member === 'denetim_fikstur.fixture_units')).toMatchObject({ status: 'ok', value: expect.anything() });
      expect(Number(r.runs.find((x) => x.member === 'denetim_fikstur.fixture_units')!.value)).toBeGreaterThan(20);
      // strict: a view whose source is not in the snapshot fails instead of being skipped
      expect(runs.filter((p) => p.view === 'denetim_yuklenmemis').length).toBeGreaterThan(0);
      expect(runs.find((p) => p.member === 'denetim_yuklenmemis.absent_rows')!.message).toContain('marts.governance_never_loaded');
    },
    SLOW,
  );

  it(
    '--update makes it pass again once the measures are fixed; a view that is not loaded is skipped, not failed',
    async () => {
      write(
        FIXTURE_CUBE,
        fixtureCube(
          [
            MEASURES.units,
            MEASURES.staff('fixture_staff_total'),
            MEASURES.documented('En büyük birimin personeli: MAX(staff_count). Kaynak: birim listesi. Madde 11(3)-II f.'),
          ].join('\n'),
        ),
      );
      const r = await checkModel({ modelDir, warehouse, update: true });
      expect(r.ok, report(r)).toBe(true);
      expect(r.steps.contract.status).toBe('updated');
      expect(r.steps.run.status).toBe('ok');
      // the snapshot now equals the model: nothing left to report
      const committed = parseContract(fs.readFileSync(path.join(modelDir, SNAPSHOT_FILE_NAME), 'utf8'));
      expect(diffContract(committed, r.contract!)).toEqual([]);
      expect(Object.keys(committed.views.denetim_fikstur.measures).sort()).toEqual(['fixture_largest_unit', 'fixture_staff_total', 'fixture_units']);

      const skipped = r.problems.filter((p) => p.severity === 'skipped');
      expect(skipped.map((p) => p.member)).toContain('denetim_yuklenmemis.absent_rows');
      expect(r.runs.filter((x) => x.view === 'denetim_yuklenmemis').every((x) => x.status === 'skipped')).toBe(true);
      // every fixture member ran against the snapshot
      expect(r.runs.filter((x) => x.view === 'denetim_fikstur').every((x) => x.status === 'ok')).toBe(true);
      // the helpdesk view (loaded in this snapshot) ran every measure
      const helpdesk = r.runs.filter((x) => x.view === 'yardim_masasi' && x.kind === 'measure');
      expect(helpdesk.length).toBeGreaterThan(0);
      expect(helpdesk.every((x) => x.status === 'ok')).toBe(true);
    },
    SLOW,
  );

  it(
    'pano model docs writes each measure with its title and article (CLI)',
    async () => {
      const out = path.join(tmp, 'katalog.md');
      const json = path.join(tmp, 'katalog.json');
      await run(process.execPath, [path.join(ROOT, 'bin/pano.js'), 'model', 'docs', '--model', modelDir, '--out', out], { cwd: ROOT, timeout: SLOW });
      await run(process.execPath, [path.join(ROOT, 'bin/pano.js'), 'model', 'docs', '--model', modelDir, '--json', '--out', json], {
        cwd: ROOT,
        timeout: SLOW,
      });
      const md = fs.readFileSync(out, 'utf8');
      const catalogue = JSON.parse(fs.readFileSync(json, 'utf8')) as {
        views: Array<{ name: string; measures: Array<{ member: string; title: string; article: string | null; title_en: string }> }>;
      };
      const fixture = catalogue.views.find((v) => v.name === 'denetim_fikstur')!;
      expect(fixture.measures.map((m) => [m.member, m.title, m.article])).toEqual([
        ['fixture_units', 'Fikstür birim sayısı', '11(3)-II f'],
        ['fixture_staff_total', 'Fikstür personel toplamı', '11(3)-II e'],
        ['fixture_largest_unit', 'Fikstür en büyük birim', '11(3)-II f'],
      ]);
      const snapshot = parseContract(fs.readFileSync(path.join(modelDir, SNAPSHOT_FILE_NAME), 'utf8'));
      for (const [view, contract] of Object.entries(snapshot.views)) {
        const listed = catalogue.views.find((v) => v.name === view);
        expect(listed?.measures.map((m) => m.member).sort(), view).toEqual(Object.keys(contract.measures).sort());
      }
      for (const v of catalogue.views) {
        expect(md).toContain(`(\`${v.name}\`)`);
        for (const m of v.measures) {
          const row = md.split('\n').find((l) => l.startsWith(`| \`${m.member}\` |`) && l.includes(m.title));
          expect(row, `${v.name}.${m.member}`).toBeDefined();
          expect(m.article, `${v.name}.${m.member} has an article`).toBeTruthy();
          expect(row).toContain(`| ${m.article} |`);
          expect(row).toContain(m.title_en);
        }
      }
    },
    SLOW,
  );
});

describe('compile errors', () => {
  it(
    'name the file and the member',
    async () => {
      const dir = path.join(tmp, 'broken-model');
      fs.mkdirSync(path.join(dir, 'cubes/shared'), { recursive: true });
      fs.cpSync(path.join(DEFAULT_MODEL_DIR, 'cubes/shared/units.yml'), path.join(dir, 'cubes/shared/units.yml'));
      fs.mkdirSync(path.join(dir, 'cubes/governance_fixture'), { recursive: true });
      fs.writeFileSync(path.join(dir, FIXTURE_CUBE), fixtureCube(MEASURES.units.replace('type: count', 'type: countx')));
      const r = await checkModel({ modelDir: dir, run: false });
      expect(r.ok).toBe(false);
      expect(r.steps.compile.status).toBe('failed');
      const problem = errors(r, 'compile').find((p) => p.member === 'governance_fixture.fixture_units');
      expect(problem, report(r)).toBeDefined();
      expect(problem!.file).toBe(FIXTURE_CUBE);
      expect(problem!.message).toMatch(/"type" must be one of/);

      fs.writeFileSync(path.join(dir, FIXTURE_CUBE), 'cubes:\n  - name: governance_fixture\n    sql_table: marts.dim_units\n   measures: [\n');
      const yaml = await checkModel({ modelDir: dir, run: false });
      expect(errors(yaml, 'compile')).toEqual([expect.objectContaining({ file: FIXTURE_CUBE, message: expect.stringMatching(/YAML/) })]);
    },
    SLOW,
  );
});
