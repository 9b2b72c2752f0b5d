import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Table from 'cli-table3';
import { errorMessage, PanoError } from '../../../common/errors.js';
import { silentLogger, type Logger } from '../../../common/logger.js';
import { NoSnapshotError, type Warehouse } from './warehouse/reader.js';
import { createCompiler, modelRepository, type RequestContext } from './compiler.js';
import { buildCatalogue, splitDescription, type KpiCatalogue } from './model-docs.js';
import { CubeQueryService } from './query-service.js';

/**
 * `pano model check`: the model's CI gate.
 *  1. compile — Cube's own compiler; errors name the file and the member;
 *  2. run — every member of every public view queried once as `admin` on the serving snapshot (a view whose
 *     tables are not in the snapshot is skipped, or fails with `strict`);
 *  3. documentation — every measure has a Turkish title, a description with "Kaynak:" and "Madde" (the same
 *     article as meta.article), and meta.title_en / format / source / article (model/README.md);
 *  4. contract — /meta (as admin: per view the member names, types, and for measures aggregation and format) must
 *     equal model/meta.snapshot.json, so removing or renaming a member is a reviewed change in the same commit.
 *     `update` rewrites the snapshot from the model.
 */

type Json = Record<string, any>;

const here = path.dirname(fileURLToPath(import.meta.url));
export const DEFAULT_MODEL_DIR = path.resolve(here, '../../../model');
export const SNAPSHOT_FILE_NAME = 'meta.snapshot.json';
/** The committed KPI catalogue that `pano model docs` writes. */
export const DEFAULT_CATALOGUE_FILE = path.resolve(here, '../../../docs/kpi-katalogu.md');

/** Pano's measure display formats (meta.format), as listed in model/README.md. */
export const MEASURE_FORMATS = ['number', 'decimal', 'percent', 'money', 'hours', 'days', 'bytes'] as const;

/** Cube's own `format` that goes with a Pano format, where one applies. */
const CUBE_FORMAT_OF: Record<string, string> = { percent: 'percent', money: 'currency' };

export type CheckStep = 'compile' | 'run' | 'docs' | 'contract';
export type StepStatus = 'ok' | 'failed' | 'skipped' | 'updated';

export interface CheckProblem {
  step: CheckStep;
  /** Only `error` fails the check; `skipped` is a member the run step could not query (its tables are not loaded). */
  severity: 'error' | 'skipped' | 'info';
  /** Model file, relative to the model folder, when known. */
  file?: string;
  view?: string;
  /** Full member name (`view.member` or `cube.member`), when the problem is about one member. */
  member?: string;
  message: string;
  /** `not_loaded`: the run step found the member's tables missing from the snapshot (skipped, or failed with `strict`). */
  reason?: 'not_loaded';
}

export interface MemberRun {
  view: string;
  member: string;
  kind: 'measure' | 'dimension' | 'segment';
  status: 'ok' | 'failed' | 'skipped';
  /** For measures: the value over all rows. */
  value?: unknown;
  error?: string;
  ms: number;
}

export interface MemberContract {
  type: string;
  agg?: string;
  format?: string | null;
}

export interface ViewContract {
  measures: Record<string, MemberContract>;
  dimensions: Record<string, MemberContract>;
  segments: string[];
}

/** The /meta contract: what API clients (portal, reports, other tools) rely on. */
export interface MetaContract {
  views: Record<string, ViewContract>;
}

export interface ContractChange {
  view: string;
  kind: 'view' | 'measure' | 'dimension' | 'segment';
  change: 'removed' | 'added' | 'renamed' | 'changed';
  /** The member (new name for renames); absent for a whole view. */
  member?: string;
  /** The old name of a renamed member. */
  from?: string;
  detail?: string;
}

export interface ModelCheckOptions {
  modelDir?: string;
  /** Default: `<modelDir>/meta.snapshot.json`. */
  snapshotFile?: string;
  /** Step 2 (default true). Needs `warehouse`. */
  run?: boolean;
  warehouse?: Warehouse;
  /** A view whose tables are not in the snapshot fails instead of being skipped. */
  strict?: boolean;
  /** Rewrite the snapshot from the model. */
  update?: boolean;
  /** Also return the KPI catalogue (`pano model docs`) of the compiled model, without compiling it twice. */
  catalogue?: boolean;
  logger?: Logger;
}

export interface ModelCheckResult {
  ok: boolean;
  modelDir: string;
  snapshotFile: string;
  steps: Record<CheckStep, { status: StepStatus; summary: string }>;
  problems: CheckProblem[];
  runs: MemberRun[];
  changes: ContractChange[];
  counts: { files: number; views: number; measures: number; dimensions: number; segments: number };
  /** The /meta contract of the model as compiled (null when it does not compile). */
  contract: MetaContract | null;
  /** With `catalogue: true`: the KPI catalogue of the model as admin sees it. */
  catalogue?: KpiCatalogue;
}

export const ADMIN_CONTEXT: RequestContext = {
  securityContext: { sub: 'pano-model-check', name: 'pano model check', roles: ['admin'], unit_code: null },
  requestId: 'pano-model-check',
};

/** Used when the run step is off: the compiler and /meta need no warehouse. */
const NO_WAREHOUSE: Warehouse = {
  dbType: 'duckdb',
  start: async () => undefined,
  manifest: () => null,
  refresh: async () => undefined,
  query: async () => {
    throw new NoSnapshotError();
  },
  close: async () => undefined,
};

export async function checkModel(opts: ModelCheckOptions = {}): Promise<ModelCheckResult> {
  const modelDir = path.resolve(opts.modelDir ?? DEFAULT_MODEL_DIR);
  const snapshotFile = path.resolve(opts.snapshotFile ?? path.join(modelDir, SNAPSHOT_FILE_NAME));
  const logger = opts.logger ?? silentLogger;
  const result: ModelCheckResult = {
    ok: false,
    modelDir,
    snapshotFile,
    steps: {
      compile: { status: 'skipped', summary: '' },
      run: { status: 'skipped', summary: '' },
      docs: { status: 'skipped', summary: '' },
      contract: { status: 'skipped', summary: '' },
    },
    problems: [],
    runs: [],
    changes: [],
    counts: { files: 0, views: 0, measures: 0, dimensions: 0, segments: 0 },
    contract: null,
  };
  if (!fs.existsSync(modelDir) || !fs.statSync(modelDir).isDirectory())
    throw new PanoError(`Model klasörü yok (no model folder): ${modelDir}`, { code: 'model_missing' });
  const files = await modelRepository(modelDir).dataSchemaFiles();
  result.counts.files = files.length;

  // ── 1. compile ──
  const compiler = createCompiler(modelDir, { dbType: opts.warehouse?.dbType ?? 'duckdb' });
  try {
    let compilers: Json;
    try {
      compilers = await compiler.getCompilers();
    } catch (e) {
      result.problems.push(...compileProblems(e, files));
      result.steps.compile = { status: 'failed', summary: `${files.length} dosya (files); derlenemedi (does not compile)` };
      for (const s of ['run', 'docs', 'contract'] as const) result.steps[s] = { status: 'skipped', summary: 'derleme başarısız (compile failed)' };
      return finish(result);
    }
    const evaluator = compilers.cubeEvaluator;
    const queries = new CubeQueryService(compiler, opts.warehouse ?? NO_WAREHOUSE, logger);
    const meta = (await queries.meta(ADMIN_CONTEXT)) as { cubes: Json[] };
    const publicItems = meta.cubes;
    const views = publicItems.filter((c) => c.type === 'view');
    result.counts.views = views.length;
    for (const v of publicItems) {
      result.counts.measures += v.measures.length;
      result.counts.dimensions += v.dimensions.length;
      result.counts.segments += v.segments.length;
    }
    result.steps.compile = {
      status: 'ok',
      summary: `${files.length} dosya, ${views.length} görünüm, ${result.counts.measures} ölçü, ${result.counts.dimensions} boyut (files, views, measures, dimensions)`,
    };

    // ── 2. run ──
    if (opts.run === false) {
      result.steps.run = { status: 'skipped', summary: '--no-run: sorgular çalıştırılmadı (queries not run)' };
    } else if (!opts.warehouse) {
      result.problems.push({
        step: 'run',
        severity: 'error',
        message: 'Ambar yok (no warehouse): çalıştırma adımı için bir ambar gerekir; ambar yoksa --no-run kullanın',
      });
      result.steps.run = { status: 'failed', summary: 'ambar yok (no warehouse)' };
    } else {
      await runMembers(result, queries, opts.warehouse, publicItems, evaluator, Boolean(opts.strict));
    }

    // ── 3. documentation rules ──
    checkDocumentation(result, publicItems, evaluator);

    // ── 4. /meta contract ──
    const contract = metaContract(meta);
    result.contract = contract;
    if (opts.catalogue) result.catalogue = buildCatalogue(meta);
    compareContract(result, contract, snapshotFile, Boolean(opts.update));
  } finally {
    compiler.dispose?.();
  }
  return finish(result);
}

/** Only errors fail; with `strict` a view that cannot run is already an error, not a skip. */
function finish(result: ModelCheckResult): ModelCheckResult {
  result.ok = result.steps.compile.status === 'ok' && !result.problems.some((p) => p.severity === 'error');
  return result;
}

/** Compiles a model folder and returns its /meta as `admin` sees it (for `pano model docs`); compile errors name file and member. */
export async function compileModelMeta(modelDir: string = DEFAULT_MODEL_DIR, ctx: RequestContext = ADMIN_CONTEXT): Promise<{ cubes: Json[] }> {
  const dir = path.resolve(modelDir);
  const compiler = createCompiler(dir);
  try {
    try {
      await compiler.getCompilers();
    } catch (e) {
      const problems = compileProblems(e, await modelRepository(dir).dataSchemaFiles());
      throw new ModelCompileError(problems, e);
    }
    return (await new CubeQueryService(compiler, NO_WAREHOUSE, silentLogger).meta(ctx)) as { cubes: Json[] };
  } finally {
    compiler.dispose?.();
  }
}

export class ModelCompileError extends PanoError {
  constructor(
    readonly problems: CheckProblem[],
    cause?: unknown,
  ) {
    super(
      `Model derlenemedi (the model does not compile):\n${problems.map((p) => `  ${p.file ?? '?'}${p.member ? ` ${p.member}` : ''}: ${p.message}`).join('\n')}`,
      { code: 'model_invalid', cause },
    );
  }
}

// ── step 1: compile errors that name the file and the member ─────────────────────────────────────────────────

/** Turns Cube's compile error into one problem per member (file named when it can be found). */
export function compileProblems(e: unknown, files: Array<{ fileName: string; content: string }>): CheckProblem[] {
  const owners = definitionFiles(files);
  const text: string = (e as any)?.messages ?? errorMessage(e);
  const problems: CheckProblem[] = [];
  // A YAML syntax error carries a code frame ("  4 |    measures: [") but no file name: find the file it quotes.
  if (!(e as any)?.messages && /YAMLException|bad indentation|can not read|end of the stream|duplicated mapping key/i.test(text)) {
    const file = fileOfCodeFrame(text, files);
    problems.push({
      step: 'compile',
      severity: 'error',
      file,
      message: `YAML sözdizimi hatası (syntax error): ${text.split('\n')[0].replace(/^YAMLException:\s*/, '')}`,
    });
    return problems;
  }
  let groupFile: string | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trimEnd();
    if (!line.trim()) continue;
    const header = /^(?:(.+?) )?Errors:$/.exec(line);
    if (header) {
      groupFile = header[1];
      continue;
    }
    if (/^Possible reasons/.test(line) || /^\s*\t?\*/.test(raw) || /^\s+/.test(raw)) continue;
    const owner = /^([A-Za-z_]\w*) (cube|view): (.*)$/.exec(line);
    if (owner) {
      const [, name, , rest] = owner;
      const byMember = new Map<string, string[]>();
      for (const m of rest.matchAll(/"([^"]+)" (.*?)(?=\. "|\.?$)/g)) {
        const parts = m[1].split('.');
        const memberKinds = [
          'measures',
          'dimensions',
          'segments',
          'joins',
          'pre_aggregations',
          'preAggregations',
          'hierarchies',
          'cubes',
          'access_policy',
          'accessPolicy',
        ];
        const member = parts.length >= 2 && memberKinds.includes(parts[0]) ? `${name}.${parts[1]}` : name;
        const what = parts.length >= 2 && memberKinds.includes(parts[0]) ? parts.slice(2).join('.') || parts[1] : m[1];
        byMember.set(member, [...(byMember.get(member) ?? []), `"${what}" ${m[2]}`]);
      }
      if (!byMember.size) byMember.set(name, [rest]);
      for (const [member, msgs] of byMember) {
        // Cube's validator tries every measure shape: next to a real error, the other shapes' "is not allowed" are noise.
        const real = msgs.filter((m) => !/ is not allowed$/.test(m));
        const shown = real.length ? real : msgs;
        problems.push({
          step: 'compile',
          severity: 'error',
          file: groupFile ?? owners.get(name),
          member: member === name ? undefined : member,
          view: member === name ? name : undefined,
          message: [...new Set(shown)].join('; '),
        });
      }
      continue;
    }
    const where = locate(line, files);
    problems.push({ step: 'compile', severity: 'error', file: groupFile ?? where.file, member: where.member, message: line });
  }
  if (!problems.length) problems.push({ step: 'compile', severity: 'error', message: text.split('\n')[0] });
  return problems;
}

/** Cube and view names → the file that defines them (the shallowest `- name:` entries of each YAML file). */
function definitionFiles(files: Array<{ fileName: string; content: string }>): Map<string, string> {
  const owners = new Map<string, string>();
  for (const f of files) {
    const entries = [...f.content.matchAll(/^(\s*)-\s+name:\s*["']?([A-Za-z_]\w*)/gm)];
    if (!entries.length) continue;
    const min = Math.min(...entries.map((m) => m[1].length));
    for (const m of entries) if (m[1].length === min && !owners.has(m[2])) owners.set(m[2], f.fileName);
  }
  return owners;
}

/** The file whose lines match a YAML error's code frame (" 4 |    measures: ["). */
function fileOfCodeFrame(text: string, files: Array<{ fileName: string; content: string }>): string | undefined {
  const frame = [...text.matchAll(/^\s*(\d+) \|(?: (.*))?$/gm)].map((m) => ({ line: Number(m[1]), text: (m[2] ?? '').trimEnd() }));
  if (!frame.length) return undefined;
  const hits = files.filter((f) => {
    const lines = f.content.split(/\r?\n/);
    return frame.every((fr) => (lines[fr.line - 1] ?? '').trimEnd() === fr.text);
  });
  return hits.length === 1 ? hits[0].fileName : undefined;
}

/**
 * For an error without a file ("tickets.nowhere cannot be resolved", "sla_met_countx is not defined"): the one file
 * that mentions the name, and the member whose definition mentions it (the nearest `- name:` above it).
 */
function locate(line: string, files: Array<{ fileName: string; content: string }>): { file?: string; member?: string } {
  const candidates = [
    ...(line.match(/\b[A-Za-z_]\w*\.[A-Za-z_]\w*\b/g) ?? []),
    ...[...line.matchAll(/^([A-Za-z_]\w*) is not defined/g)].map((m) => m[1]),
    ...[...line.matchAll(/'([A-Za-z_][\w.]*)'/g)].map((m) => m[1]),
  ];
  for (const ref of candidates) {
    const word = new RegExp(`(^|[^\\w.])${ref.replace(/\./g, '\\.')}(?![\\w])`);
    const hits = files.filter((f) => word.test(f.content));
    if (hits.length !== 1) continue;
    const lines = hits[0].content.split(/\r?\n/);
    const at = lines.findIndex((l) => word.test(l));
    const names = lines
      .slice(0, at + 1)
      .map((l) => /^(\s*)-\s+name:\s*["']?([A-Za-z_]\w*)/.exec(l))
      .filter((m): m is RegExpExecArray => m !== null);
    const top = names.length ? Math.min(...names.map((m) => m[1].length)) : 0;
    const owner = [...names].reverse().find((m) => m[1].length === top)?.[2];
    const member = [...names].reverse().find((m) => m[1].length > top)?.[2];
    return { file: hits[0].fileName, member: owner && member ? `${owner}.${member}` : undefined };
  }
  return {};
}

// ── step 2: query every member once ──────────────────────────────────────────────────────────────────────────

async function runMembers(result: ModelCheckResult, queries: CubeQueryService, warehouse: Warehouse, items: Json[], evaluator: Json, strict: boolean) {
  let present: Set<string>;
  try {
    await warehouse.refresh(true);
    const { rows } = await warehouse.query(
      "SELECT lower(table_schema) || '.' || lower(table_name) AS t FROM information_schema.tables WHERE table_schema NOT IN ('information_schema', 'pg_catalog')",
    );
    present = new Set(rows.map((r) => String(r.t)));
  } catch (e) {
    result.problems.push({
      step: 'run',
      severity: 'error',
      message: `Ambar okunamadı (cannot read the warehouse): ${errorMessage(e)} — önce \`pano etl run\`, ya da --no-run`,
    });
    result.steps.run = { status: 'failed', summary: 'ambar okunamadı (no warehouse snapshot)' };
    return;
  }
  const manifest = warehouse.manifest();
  for (const item of items) {
    const fileOf = memberFileResolver(evaluator, item.name);
    const firstMeasure = item.measures[0]?.name;
    const plan: Array<{ kind: MemberRun['kind']; name: string; query: Json }> = [
      ...item.measures.map((m: Json) => ({ kind: 'measure' as const, name: m.name, query: { measures: [m.name] } })),
      ...item.dimensions.map((d: Json) => ({ kind: 'dimension' as const, name: d.name, query: { dimensions: [d.name], limit: 1 } })),
      ...item.segments.map((s: Json) => ({
        kind: 'segment' as const,
        name: s.name,
        query: firstMeasure ? { measures: [firstMeasure], segments: [s.name] } : { dimensions: [item.dimensions[0]?.name], segments: [s.name], limit: 1 },
      })),
    ];
    for (const p of plan) {
      const started = Date.now();
      const run: MemberRun = { view: item.name, member: p.name, kind: p.kind, status: 'ok', ms: 0 };
      let notLoaded = false;
      try {
        const sql = (await queries.sql(p.query, ADMIN_CONTEXT)).sql;
        const missing = referencedTables(sql.sql[0]).filter((t) => !present.has(t));
        if (missing.length) {
          notLoaded = true;
          run.status = strict ? 'failed' : 'skipped';
          run.error = `anlık görüntüde yok (not in the snapshot): ${missing.join(', ')} — kaynağı yüklenmemiş (its source is not loaded)`;
        } else {
          const res = await queries.load(p.query, ADMIN_CONTEXT, { multi: false });
          if (p.kind === 'measure') run.value = res.data?.[0]?.[p.name] ?? null;
        }
      } catch (e) {
        run.status = 'failed';
        run.error = errorMessage(e).split('\n')[0];
      }
      run.ms = Date.now() - started;
      result.runs.push(run);
      if (run.status !== 'ok') {
        result.problems.push({
          step: 'run',
          severity: run.status === 'skipped' ? 'skipped' : 'error',
          file: fileOf(p.name, p.kind),
          view: item.name,
          member: p.name,
          message: run.status === 'skipped' ? `atlandı (skipped): ${run.error}` : run.error!,
          ...(notLoaded ? { reason: 'not_loaded' as const } : {}),
        });
      }
    }
  }
  const n = (s: MemberRun['status']) => result.runs.filter((r) => r.status === s).length;
  const measures = result.runs.filter((r) => r.kind === 'measure');
  result.steps.run = {
    status: n('failed') ? 'failed' : 'ok',
    summary:
      `${measures.length} ölçü, ${result.runs.length - measures.length} boyut/segment sorgulandı (queried): ${n('ok')} tamam, ${n('failed')} başarısız, ${n('skipped')} atlandı` +
      (manifest ? ` · anlık görüntü (snapshot) ${manifest.snapshotId}` : ''),
  };
}

/** The schema-qualified tables a query reads (`FROM marts.fct_tickets AS "tickets"`), lower case, unquoted. */
export function referencedTables(sql: string): string[] {
  const out = new Set<string>();
  for (const m of sql.matchAll(/\b(?:FROM|JOIN)\s+((?:"[^"]+"|[A-Za-z_][\w$]*)\s*\.\s*(?:"[^"]+"|[A-Za-z_][\w$]*))/gi)) {
    out.add(m[1].replace(/"/g, '').replace(/\s+/g, '').toLowerCase());
  }
  return [...out];
}

/** Where a view member is defined: the cube file it comes from (views copy their members from cubes). */
function memberFileResolver(evaluator: Json, viewName: string) {
  const fileOfCube = (cube: string): string | undefined => {
    try {
      return evaluator.cubeFromPath(cube)?.fileName;
    } catch {
      return undefined;
    }
  };
  let view: Json | undefined;
  try {
    view = evaluator.cubeFromPath(viewName);
  } catch {
    view = undefined;
  }
  return (fullName: string, kind: 'measure' | 'dimension' | 'segment'): string | undefined => {
    const short = fullName.slice(viewName.length + 1);
    const def = view?.[`${kind}s`]?.[short];
    const alias: string | undefined = def?.aliasMember;
    return (alias ? fileOfCube(alias.split('.')[0]) : undefined) ?? view?.fileName;
  };
}

// ── step 3: documentation rules of model/README.md ───────────────────────────────────────────────────────────

function checkDocumentation(result: ModelCheckResult, items: Json[], evaluator: Json) {
  const before = result.problems.length;
  const problem = (p: Omit<CheckProblem, 'step' | 'severity'>) => result.problems.push({ step: 'docs', severity: 'error', ...p });
  let measures = 0;
  for (const item of items) {
    let def: Json | undefined;
    try {
      def = evaluator.cubeFromPath(item.name);
    } catch {
      def = undefined;
    }
    const viewFile = def?.fileName;
    if (item.type !== 'view') {
      problem({
        file: viewFile,
        view: item.name,
        message: 'Küp herkese açık (cube is public): küpler `public: false` olmalı, sorgular görünümlerden yapılır (cubes are private; people query views)',
      });
      continue;
    }
    if (!def?.accessPolicy?.length) problem({ file: viewFile, view: item.name, message: 'Görünümün access_policy tanımı yok (the view has no access_policy)' });
    if (!def?.title) problem({ file: viewFile, view: item.name, message: 'Görünümün Türkçe başlığı (title) yok (the view has no Turkish title)' });
    if (!nonEmpty(item.meta?.title_en)) problem({ file: viewFile, view: item.name, message: 'Görünümde meta.title_en yok (the view has no English title)' });
    const fileOf = memberFileResolver(evaluator, item.name);
    for (const m of item.measures) {
      measures++;
      const short = m.name.slice(item.name.length + 1);
      const mdef = def?.measures?.[short];
      const missing: string[] = [];
      if (!nonEmpty(mdef?.title)) missing.push('Türkçe başlık (title) yok');
      const description: string = m.description ?? '';
      if (!description.trim()) missing.push('açıklama (description) yok');
      else {
        if (!description.includes('Kaynak:')) missing.push('açıklamada "Kaynak:" yok (no source in the description)');
        if (!/\bMadde\b/.test(description)) missing.push('açıklamada "Madde" yok (no regulation article in the description)');
      }
      const metaOf = m.meta ?? {};
      if (!nonEmpty(metaOf.title_en)) missing.push('meta.title_en yok');
      if (!nonEmpty(metaOf.format)) missing.push(`meta.format yok (one of ${MEASURE_FORMATS.join(', ')})`);
      else if (!(MEASURE_FORMATS as readonly string[]).includes(metaOf.format))
        missing.push(`meta.format "${metaOf.format}" izinli değil (allowed: ${MEASURE_FORMATS.join(', ')})`);
      else {
        const cubeFormat = CUBE_FORMAT_OF[metaOf.format];
        if (cubeFormat && m.format !== cubeFormat)
          missing.push(`meta.format ${metaOf.format} ise Cube'un format: ${cubeFormat} olmalı (Cube's own format must be ${cubeFormat})`);
      }
      if (m.format && Object.values(CUBE_FORMAT_OF).includes(m.format) && CUBE_FORMAT_OF[metaOf.format] !== m.format) {
        missing.push(`format: ${m.format} ile meta.format "${metaOf.format ?? ''}" uyuşmuyor (Cube's format and meta.format disagree)`);
      }
      if (!nonEmpty(metaOf.source)) missing.push('meta.source yok');
      if (!nonEmpty(metaOf.article)) missing.push('meta.article yok');
      else {
        const inText = splitDescription(description).article;
        if (inText && inText.replace(/\s+/g, ' ') !== String(metaOf.article).replace(/\s+/g, ' ').trim()) {
          missing.push(`açıklamadaki madde (${inText}) ile meta.article (${metaOf.article}) farklı (the description and meta.article name different articles)`);
        }
      }
      if (missing.length) problem({ file: fileOf(m.name, 'measure'), view: item.name, member: m.name, message: missing.join('; ') });
    }
  }
  const n = result.problems.length - before;
  result.steps.docs = {
    status: n ? 'failed' : 'ok',
    summary: n ? `${n} sorun (problems), ${measures} ölçü denetlendi (measures checked)` : `${measures} ölçü belgelenmiş (measures documented)`,
  };
}

// ── step 4: the /meta contract ───────────────────────────────────────────────────────────────────────────────

/** The contract of a /meta answer: per public view (and public cube), member names and types, for measures aggregation and format. */
export function metaContract(meta: { cubes: Json[] }): MetaContract {
  const views: Record<string, ViewContract> = {};
  for (const item of meta.cubes) {
    const short = (n: string) => (n.startsWith(`${item.name}.`) ? n.slice(item.name.length + 1) : n);
    const measures: Record<string, MemberContract> = {};
    for (const m of item.measures ?? []) measures[short(m.name)] = { type: m.type, agg: m.aggType ?? m.type, format: m.meta?.format ?? m.format ?? null };
    const dimensions: Record<string, MemberContract> = {};
    for (const d of item.dimensions ?? []) dimensions[short(d.name)] = { type: d.type };
    views[item.name] = { measures, dimensions, segments: (item.segments ?? []).map((s: Json) => short(s.name)).sort() };
  }
  return { views };
}

/** Differences old → new: removed, added, renamed (a removed and an added member of the same view, kind and shape), changed. */
export function diffContract(before: MetaContract, after: MetaContract): ContractChange[] {
  const changes: ContractChange[] = [];
  const names = [...new Set([...Object.keys(before.views), ...Object.keys(after.views)])].sort();
  for (const view of names) {
    const a = before.views[view];
    const b = after.views[view];
    if (!b) {
      changes.push({ view, kind: 'view', change: 'removed', detail: `${countMembers(a)} üye (members)` });
      continue;
    }
    if (!a) {
      changes.push({ view, kind: 'view', change: 'added', detail: `${countMembers(b)} üye (members)` });
      continue;
    }
    const kinds = [
      ['measure', a.measures, b.measures],
      ['dimension', a.dimensions, b.dimensions],
      ['segment', Object.fromEntries(a.segments.map((s) => [s, {}])), Object.fromEntries(b.segments.map((s) => [s, {}]))],
    ] as const;
    for (const [kind, oldMembers, newMembers] of kinds) {
      const sig = (c: Json) => JSON.stringify(sortKeys(c));
      const removed = Object.keys(oldMembers)
        .filter((k) => !(k in newMembers))
        .sort();
      const added = Object.keys(newMembers)
        .filter((k) => !(k in oldMembers))
        .sort();
      const pairedAdded = new Set<string>();
      for (const r of removed) {
        // the most similar name among the added members of the same shape
        const match = added
          .filter((x) => !pairedAdded.has(x) && sig((newMembers as Json)[x]) === sig((oldMembers as Json)[r]))
          .sort((x, y) => similarity(r, y) - similarity(r, x) || x.localeCompare(y))[0];
        if (match) {
          pairedAdded.add(match);
          changes.push({ view, kind, change: 'renamed', from: `${view}.${r}`, member: `${view}.${match}` });
        } else changes.push({ view, kind, change: 'removed', member: `${view}.${r}` });
      }
      for (const x of added) if (!pairedAdded.has(x)) changes.push({ view, kind, change: 'added', member: `${view}.${x}` });
      for (const k of Object.keys(newMembers)
        .filter((k) => k in oldMembers)
        .sort()) {
        const o = (oldMembers as Json)[k];
        const n = (newMembers as Json)[k];
        const diffs = [...new Set([...Object.keys(o), ...Object.keys(n)])]
          .sort()
          .filter((f) => (o[f] ?? null) !== (n[f] ?? null))
          .map((f) => `${f}: ${o[f] ?? '–'} → ${n[f] ?? '–'}`);
        if (diffs.length) changes.push({ view, kind, change: 'changed', member: `${view}.${k}`, detail: diffs.join(', ') });
      }
    }
  }
  return changes;
}

/** Shared prefix + shared suffix: `ticket_count` is closer to `ticket_count_total` than to `backlog_count`. */
function similarity(a: string, b: string): number {
  let p = 0;
  while (p < a.length && p < b.length && a[p] === b[p]) p++;
  let s = 0;
  while (s < a.length - p && s < b.length - p && a[a.length - 1 - s] === b[b.length - 1 - s]) s++;
  return p + s;
}

function countMembers(v: ViewContract): number {
  return Object.keys(v.measures).length + Object.keys(v.dimensions).length + v.segments.length;
}

/** The snapshot file's text: keys sorted, one line per member, so a diff shows exactly the members that changed. */
export function serializeContract(contract: MetaContract): string {
  const q = JSON.stringify;
  const member = (c: MemberContract) =>
    `{ ${Object.entries(sortKeys(c))
      .map(([k, v]) => `${q(k)}: ${q(v)}`)
      .join(', ')} }`;
  const block = (members: Record<string, MemberContract>, indent: string) => {
    const keys = Object.keys(members).sort();
    if (!keys.length) return '{}';
    return `{\n${keys.map((k) => `${indent}  ${q(k)}: ${member(members[k])}`).join(',\n')}\n${indent}}`;
  };
  const views = Object.keys(contract.views).sort();
  const body = views.map((name) => {
    const v = contract.views[name];
    return [
      `    ${q(name)}: {`,
      `      "measures": ${block(v.measures, '      ')},`,
      `      "dimensions": ${block(v.dimensions, '      ')},`,
      `      "segments": ${q([...v.segments].sort())}`,
      '    }',
    ].join('\n');
  });
  return [
    '{',
    `  "$comment": ${q('The /meta contract of model/ as role admin: pano model check compares the model with it. Do not edit by hand: run `pano model check --update` and commit this file with the model change.')},`,
    `  "views": {${body.length ? `\n${body.join(',\n')}\n  ` : ''}}`,
    '}',
    '',
  ].join('\n');
}

export function parseContract(text: string): MetaContract {
  const json = JSON.parse(text);
  if (!json || typeof json !== 'object' || typeof json.views !== 'object' || json.views === null) throw new Error('"views" nesnesi yok (no "views" object)');
  const views: Record<string, ViewContract> = {};
  for (const [name, v] of Object.entries<any>(json.views)) {
    views[name] = { measures: v?.measures ?? {}, dimensions: v?.dimensions ?? {}, segments: Array.isArray(v?.segments) ? v.segments : [] };
  }
  return { views };
}

function compareContract(result: ModelCheckResult, contract: MetaContract, snapshotFile: string, update: boolean) {
  const inModel = path.relative(result.modelDir, snapshotFile);
  const rel = inModel.startsWith('..') || path.isAbsolute(inModel) ? snapshotFile : inModel;
  let committed: MetaContract | null = null;
  let unreadable: string | null = null;
  if (fs.existsSync(snapshotFile)) {
    try {
      committed = parseContract(fs.readFileSync(snapshotFile, 'utf8'));
    } catch (e) {
      unreadable = errorMessage(e);
    }
  }
  const changes = diffContract(committed ?? { views: {} }, contract);
  result.changes = changes;
  if (update) {
    const text = serializeContract(contract);
    const same = fs.existsSync(snapshotFile) && fs.readFileSync(snapshotFile, 'utf8') === text;
    if (!same) fs.writeFileSync(snapshotFile, text);
    for (const c of changes) result.problems.push({ step: 'contract', severity: 'info', view: c.view, member: c.member, message: describeChange(c) });
    result.steps.contract = {
      status: same ? 'ok' : 'updated',
      summary: same ? `${rel} zaten güncel (already up to date)` : `${rel} yeniden yazıldı (rewritten): ${summarizeChanges(changes) || 'biçim (format only)'}`,
    };
    return;
  }
  if (!committed) {
    result.problems.push({
      step: 'contract',
      severity: 'error',
      file: rel,
      message: unreadable
        ? `${rel} okunamadı (unreadable): ${unreadable} — \`pano model check --update\` ile yeniden yazın (rewrite it)`
        : `${rel} yok (missing): \`pano model check --update\` ile oluşturup commit edin (create it and commit it)`,
    });
    result.steps.contract = { status: 'failed', summary: `${rel} yok ya da okunamadı (missing or unreadable)` };
    return;
  }
  for (const c of changes)
    result.problems.push({ step: 'contract', severity: 'error', file: rel, view: c.view, member: c.member ?? c.from, message: describeChange(c) });
  if (changes.length) {
    result.problems.push({
      step: 'contract',
      severity: 'error',
      file: rel,
      message: `/meta sözleşmesi ${rel} ile aynı değil. Değişiklik bilerek yapıldıysa \`pano model check --update\` çalıştırıp dosyayı modelle aynı commit'e ekleyin; kaldırılan ya da yeniden adlandırılan üyeleri kullanan raporları ve panoları güncelleyin. (The /meta contract differs from the snapshot: if intended, run \`pano model check --update\` and commit the file with the model change; update the reports and dashboards that use removed or renamed members.)`,
    });
  }
  result.steps.contract = {
    status: changes.length ? 'failed' : 'ok',
    summary: changes.length ? summarizeChanges(changes) : `${rel} ile aynı (matches the snapshot)`,
  };
}

export function describeChange(c: ContractChange): string {
  const kind = { view: 'görünüm (view)', measure: 'ölçü (measure)', dimension: 'boyut (dimension)', segment: 'segment' }[c.kind];
  switch (c.change) {
    case 'removed':
      return c.kind === 'view'
        ? `Görünüm kaldırıldı (view removed): ${c.view}, ${c.detail}`
        : `Kaldırıldı (removed) ${kind}: ${c.member} — bu üyeyi kullanan sorgular bozulur (queries that use it break)`;
    case 'added':
      return c.kind === 'view' ? `Görünüm eklendi (view added): ${c.view}, ${c.detail}` : `Eklendi (added) ${kind}: ${c.member}`;
    case 'renamed':
      return `Yeniden adlandırıldı (renamed = removed + added) ${kind}: ${c.from} → ${c.member}`;
    case 'changed':
      return `Değişti (changed) ${kind}: ${c.member} — ${c.detail}`;
  }
}

function summarizeChanges(changes: ContractChange[]): string {
  const count = (k: ContractChange['change']) => changes.filter((c) => c.change === k).length;
  return [
    count('removed') && `${count('removed')} kaldırıldı (removed)`,
    count('renamed') && `${count('renamed')} yeniden adlandırıldı (renamed)`,
    count('changed') && `${count('changed')} değişti (changed)`,
    count('added') && `${count('added')} eklendi (added)`,
  ]
    .filter(Boolean)
    .join(', ');
}

// ── output ───────────────────────────────────────────────────────────────────────────────────────────────────

const STEP_LABELS: Record<CheckStep, string> = {
  compile: '1 Derleme (compile)',
  run: '2 Çalıştırma (run)',
  docs: '3 Belgeleme (documentation)',
  contract: '4 /meta sözleşmesi (contract)',
};
const STATUS_LABELS: Record<StepStatus, string> = { ok: 'tamam', failed: 'BAŞARISIZ', skipped: 'atlandı', updated: 'güncellendi' };

/** The result as tables for the terminal: the four steps, then every problem with where it is. */
export function renderCheckReport(result: ModelCheckResult, opts: { color?: boolean } = {}): string {
  const style = opts.color ? undefined : { head: [], border: [] };
  const out: string[] = [];
  out.push(`Model denetimi (model check): ${result.modelDir}`);
  const steps = new Table({ head: ['Adım (step)', 'Durum (status)', 'Özet (summary)'], colWidths: [31, 13, 76], wordWrap: true, style });
  for (const s of ['compile', 'run', 'docs', 'contract'] as const) steps.push([STEP_LABELS[s], STATUS_LABELS[result.steps[s].status], result.steps[s].summary]);
  out.push(steps.toString());
  // Members whose tables are not in the snapshot are many (a whole domain not loaded): one line per view.
  const notLoaded = new Map<string, CheckProblem[]>();
  for (const p of result.problems.filter((x) => x.reason === 'not_loaded'))
    notLoaded.set(`${p.view}|${p.severity}`, [...(notLoaded.get(`${p.view}|${p.severity}`) ?? []), p]);
  const problems = result.problems.filter((p) => !p.reason && (p.severity === 'error' || (p.severity === 'info' && p.step === 'contract')));
  if (problems.length || notLoaded.size) {
    const widths = [13, 34, 38, 74];
    const table = new Table({ head: ['Adım', 'Dosya (file)', 'Üye (member)', 'Sorun (problem)'], colWidths: widths, wordWrap: true, style });
    for (const p of problems) {
      const level = p.severity === 'error' ? '' : ' (bilgi)';
      table.push([
        `${STEP_LABELS[p.step].split(' ')[0]} ${p.step}${level}`,
        wrapPath(p.file ?? '–', widths[1] - 2),
        wrapPath(p.member ?? p.view ?? '–', widths[2] - 2, '.'),
        p.message,
      ]);
    }
    for (const list of notLoaded.values()) {
      const tables = [
        ...new Set(
          list.flatMap(
            (p) =>
              /\(not in the snapshot\): ([^—]+) —/
                .exec(p.message)?.[1]
                .split(', ')
                .map((t) => t.trim()) ?? [],
          ),
        ),
      ];
      const files = [...new Set(list.map((p) => p.file).filter((f): f is string => Boolean(f)))];
      const failed = list[0].severity === 'error';
      table.push([
        failed ? '2 run' : '2 run (atlandı)',
        files.map((f) => wrapPath(f, widths[1] - 2)).join('\n') || '–',
        list[0].view ?? '–',
        `${list.length} üye ${failed ? 'BAŞARISIZ (failed, --strict)' : 'atlandı (skipped)'}: ${tables.join(', ')} anlık görüntüde yok — kaynağı yüklenmemiş (not in the snapshot: its source is not loaded)`,
      ]);
    }
    out.push(table.toString());
  }
  out.push(
    result.ok
      ? 'Model denetimi geçti (model check passed).'
      : `Model denetimi BAŞARISIZ (model check failed): ${result.problems.filter((p) => p.severity === 'error').length} sorun (problems).`,
  );
  return out.join('\n');
}

/** A path (or member name) broken at its separators so it fits a table column instead of being cut off. */
function wrapPath(text: string, width: number, sep = '/'): string {
  if (text.length <= width) return text;
  const lines: string[] = [];
  let line = '';
  for (const part of text.split(sep).map((p, i, all) => (i < all.length - 1 ? p + sep : p))) {
    if (line && line.length + part.length > width) {
      lines.push(line);
      line = '';
    }
    line += part;
  }
  if (line) lines.push(line);
  return lines.join('\n');
}

function nonEmpty(v: unknown): string | null {
  return typeof v === 'string' && v.trim() ? v.trim() : null;
}

function sortKeys(o: Json): Json {
  return Object.fromEntries(
    Object.keys(o ?? {})
      .sort()
      .map((k) => [k, o[k]]),
  );
}
