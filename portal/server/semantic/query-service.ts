import crypto from 'node:crypto';
import { QueryError } from '../../../common/errors.js';
import type { Logger } from '../../../common/logger.js';
import type { SnapshotManifest } from '../../../common/warehouse/index.js';
import { yieldToEventLoop, type Warehouse } from './warehouse/reader.js';
import type { Compiler, RequestContext } from './compiler.js';

import { loadCube } from './cube-internals.js';
import { ResultCache } from './result-cache.js';
import { viewLanguage } from './view-errors.js';
import { DEFAULT_QUERY_LIMITS, memberIndexOf, validateQuery, validateResolvedDates, type MemberIndex, type QueryLimits } from './query-validation.js';
import { DEFAULT_TIMEZONE } from '../../../common/definitions/timezone.js';

const { normalizeQuery, remapToQueryAdapterFormat, getPivotQuery, prepareAnnotation } = loadCube();

type Json = Record<string, any>;
type QueryType = 'regularQuery' | 'compareDateRangeQuery' | 'blendingQuery';

/** Freshness and quality of the snapshot behind a result: Pano's extension to Cube's load response. */
export function freshnessOf(manifest: SnapshotManifest) {
  return {
    snapshotId: manifest.snapshotId,
    publishedAt: manifest.publishedAt,
    sources: manifest.sources.map((s) => ({
      source: s.source,
      title: s.title,
      status: s.status,
      dataAsOf: s.dataAsOf,
      rowsLoaded: s.rowsLoaded,
      rowsRejected: s.rowsRejected,
      checksFailed: s.checksFailed,
    })),
  };
}

export interface QueryServiceOptions {
  timezone?: string;
  limits?: Partial<QueryLimits>;
  /** Result cache: total bytes of JSON kept, and the largest answer that is kept at all. */
  cacheBytes?: number;
  cacheEntryBytes?: number;
}

/**
 * Cube's REST contract (/load, /meta, /sql, /dry-run) on Cube's own compiler, with Pano's guards: every query
 * field is on an allow-list and checked against the member types of the caller's /meta (query-validation.ts);
 * members must be public and visible to the caller's role (Cube's compiler alone would let a query on a private
 * cube bypass the view's access policy); access policies are applied to every query; errors speak in the view's
 * member names; and answers are cached per query, security context and snapshot, bounded by bytes.
 */
export class CubeQueryService {
  private readonly cache: ResultCache;
  /** Cache misses being answered now, by cache key. */
  private inflight = new Map<string, Promise<Buffer>>();
  /** Compiled queries (after access policies) and meta per security context: the model does not change while serving. */
  private compiled = new Map<string, Promise<Prepared>>();
  private metaByContext = new Map<string, Promise<Json[]>>();
  private indexByMeta = new WeakMap<Json[], MemberIndex>();
  private readonly defaultTimezone: string;
  readonly limits: QueryLimits;

  constructor(
    private readonly compiler: Compiler,
    private readonly reader: Warehouse,
    private readonly logger: Logger,
    opts: QueryServiceOptions = {},
  ) {
    this.defaultTimezone = opts.timezone ?? DEFAULT_TIMEZONE;
    this.limits = { ...DEFAULT_QUERY_LIMITS, ...opts.limits };
    const cacheBytes = opts.cacheBytes ?? 64 * 1024 * 1024;
    this.cache = new ResultCache(cacheBytes, opts.cacheEntryBytes ?? Math.max(1, Math.floor(cacheBytes / 16)));
  }

  /** /meta: the cubes and views this caller may query, members filtered by access policy. */
  async meta(ctx: RequestContext): Promise<Json> {
    const cubes = await this.metaConfig(ctx);
    const visible = (item: Json) => item.isVisible && item.public !== false;
    return {
      cubes: cubes
        .filter((c) => c.config.public !== false && c.config.isVisible !== false)
        .map((c) => ({
          ...c.config,
          measures: (c.config.measures ?? []).filter(visible),
          dimensions: (c.config.dimensions ?? []).filter(visible),
          segments: (c.config.segments ?? []).filter(visible),
          hierarchies: (c.config.hierarchies ?? []).filter(visible),
        }))
        .filter((c) => c.measures.length || c.dimensions.length || c.segments.length),
    };
  }

  /** /load for callers in this process: the answer as an object of its own (a copy of the cached JSON). */
  async load(input: unknown, ctx: RequestContext, opts: { multi: boolean }): Promise<Json> {
    return JSON.parse((await this.loadJson(input, ctx, opts)).toString('utf8'));
  }

  /** /load. `multi` is what @cubejs-client/core asks for (queryType=multi): {queryType, results, pivotQuery}. Answered as UTF-8 JSON. */
  async loadJson(input: unknown, ctx: RequestContext, opts: { multi: boolean }): Promise<Buffer> {
    await this.reader.refresh();
    const request = await this.parseRequest(input, ctx);
    if (!opts.multi && request.queryType !== 'regularQuery') {
      throw new QueryError(`'${request.queryType}' query type is not supported by the client. Please update the client.`);
    }
    const manifest = this.reader.manifest();
    if (!manifest) return (await this.run(request, ctx, opts)).json;
    const cacheKey = this.cacheKey(request.text, ctx, manifest.snapshotId, opts.multi);
    const hit = this.cache.get(cacheKey);
    if (hit !== undefined) return hit;
    // Single flight: a dashboard opened by many people at once runs each of its queries once, not once per person.
    let pending = this.inflight.get(cacheKey);
    if (!pending) {
      pending = this.run(request, ctx, opts)
        .then(({ json, snapshotId }) => {
          if (snapshotId === manifest.snapshotId) this.cache.set(cacheKey, json);
          return json;
        })
        .finally(() => this.inflight.delete(cacheKey));
      this.inflight.set(cacheKey, pending);
    }
    return pending;
  }

  /** What the result cache holds now (for tests, the bench and the health detail). */
  cacheStats() {
    return this.cache.stats();
  }

  private async run(request: ParsedRequest, ctx: RequestContext, opts: { multi: boolean }): Promise<{ json: Buffer; snapshotId: string | null }> {
    const { queryType, queries, metaCubes } = await this.prepareCached(request, ctx);
    const results = [];
    for (const q of queries) results.push(await this.execute(q, ctx, metaCubes, queryType, request));
    const response = opts.multi
      ? { queryType, results, pivotQuery: getPivotQuery(queryType, structuredClone(queries.map((q) => q.normalized))), slowQuery: false }
      : results[0];
    return { json: await encodeInSlices(response), snapshotId: results[0]?.pano?.snapshotId ?? null };
  }

  /** /sql: the SQL Pano would run for the query, with the caller's access policies applied. */
  async sql(input: unknown, ctx: RequestContext): Promise<Json> {
    const request = await this.parseRequest(input, ctx);
    const { queries, metaCubes } = await this.prepare(request, ctx);
    const out = [];
    for (const q of queries) {
      const sql = await this.compile(q.normalized, request, metaCubes);
      out.push({
        sql: sql.sql,
        timeDimensionAlias: sql.timeDimensionAlias,
        timeDimensionField: sql.timeDimensionField,
        order: sql.order,
        dataSource: sql.dataSource ?? 'default',
        aliasNameToMember: sql.aliasNameToMember,
        external: false,
        preAggregations: [],
      });
    }
    return { sql: out.length === 1 ? out[0] : out };
  }

  /** /dry-run: how the query is understood (normalized, with policies applied), without running it. */
  async dryRun(input: unknown, ctx: RequestContext): Promise<Json> {
    const request = await this.parseRequest(input, ctx);
    const { queryType, queries, metaCubes } = await this.prepare(request, ctx);
    const normalizedQueries = queries.map((q) => q.normalized);
    for (const q of normalizedQueries) await this.compile(q, request, metaCubes);
    return {
      queryType,
      normalizedQueries,
      queryOrder: normalizedQueries.map((q: Json) => q.order ?? []),
      pivotQuery: getPivotQuery(queryType, structuredClone(normalizedQueries)),
      transformedQueries: normalizedQueries.map(() => null),
    };
  }

  clearCache(): void {
    this.cache.clear();
  }

  private contextKey(ctx: RequestContext): string {
    return JSON.stringify([ctx.securityContext.roles, ctx.securityContext.unit_code ?? null]);
  }

  private metaConfig(ctx: RequestContext): Promise<Json[]> {
    const key = this.contextKey(ctx);
    let m = this.metaByContext.get(key);
    if (!m) {
      m = this.compiler.metaConfig(ctx, { requestId: ctx.requestId }) as Promise<Json[]>;
      m.catch(() => this.metaByContext.delete(key));
      this.metaByContext.set(key, m);
    }
    return m;
  }

  private memberIndex(metaCubes: Json[]): MemberIndex {
    let index = this.indexByMeta.get(metaCubes);
    if (!index) this.indexByMeta.set(metaCubes, (index = memberIndexOf(metaCubes)));
    return index;
  }

  /**
   * The request as the client sent it, parsed and checked against the allow-list and the caller's members
   * before anything else looks at it (a cache key, Cube's normalizer, the compiler).
   */
  private async parseRequest(input: unknown, ctx: RequestContext): Promise<ParsedRequest> {
    let parsed: unknown = input;
    if (typeof input === 'string') {
      try {
        parsed = JSON.parse(input);
      } catch (e) {
        const why = e instanceof RangeError ? 'it is nested too deep' : (e as Error).message;
        throw new QueryError(`Invalid query format: the query is not valid JSON (${why})`);
      }
    }
    if (parsed == null || typeof parsed !== 'object') throw new QueryError('Invalid query format: expected a query object or an array of queries');
    const metaCubes = await this.metaConfig(ctx);
    const index = this.memberIndex(metaCubes);
    let queryType: QueryType = 'regularQuery';
    let list: Json[];
    if (Array.isArray(parsed)) {
      if (!parsed.length) throw new QueryError('Invalid query format: the query array is empty');
      if (parsed.length > this.limits.maxQueries) {
        throw new QueryError(`Too many queries in one request: ${parsed.length}; at most ${this.limits.maxQueries}`);
      }
      parsed.forEach((q, i) => validateQuery(q, index, this.limits, `query[${i}]`));
      queryType = 'blendingQuery';
      list = parsed as Json[];
    } else {
      validateQuery(parsed, index, this.limits);
      const split = splitCompareDateRange(parsed as Json);
      if (split.length > 1 || (parsed as Json).timeDimensions?.some?.((td: Json) => td?.compareDateRange)) queryType = 'compareDateRangeQuery';
      list = split;
    }
    return { queryType, list, text: typeof input === 'string' ? input : JSON.stringify(parsed) };
  }

  /** prepare() memoized per query text and security context (failures are not kept). */
  private prepareCached(request: ParsedRequest, ctx: RequestContext): Promise<Prepared> {
    // Relative date ranges ("this month") are resolved when a query is normalized: the hour is part of the key.
    const key = `${currentHour()}|${this.contextKey(ctx)}|${request.text}`;
    let p = this.compiled.get(key);
    if (!p) {
      p = this.prepare(request, ctx).then(async (prep) => {
        for (const q of prep.queries) q.sql = await this.compile(q.normalized, request, prep.metaCubes);
        return prep;
      });
      p.catch(() => this.compiled.delete(key));
      this.compiled.set(key, p);
      if (this.compiled.size > COMPILED_MAX) this.compiled.delete(this.compiled.keys().next().value!);
    }
    return p;
  }

  private cacheKey(text: string, ctx: RequestContext, snapshotId: string, multi: boolean): string {
    const sc = ctx.securityContext;
    return crypto
      .createHash('sha256')
      .update(JSON.stringify([currentHour(), snapshotId, multi, sc.roles, sc.unit_code ?? null, text]))
      .digest('hex');
  }

  /** Normalize (Cube's) → check the resolved dates → apply access policies → normalize again. */
  private async prepare(request: ParsedRequest, ctx: RequestContext): Promise<Prepared> {
    const metaCubes = await this.metaConfig(ctx);
    const queries = [];
    for (const q of request.list) {
      // The limit is Pano's (checked against limits.maxRows); Cube's own check would throw a plain Error.
      const withDefaults = { ...structuredClone(q), timezone: q.timezone ?? this.defaultTimezone, limit: q.limit ?? this.limits.defaultRows };
      let normalized: Json;
      try {
        normalized = normalizeQuery(withDefaults, true);
        validateResolvedDates(normalized);
        const { query: secured } = await this.compiler.applyRowLevelSecurity(normalized, normalized, ctx);
        normalized = remapToQueryAdapterFormat(normalizeQuery(secured, true));
      } catch (e) {
        throw await this.queryError(e, request, metaCubes);
      }
      queries.push({ normalized });
    }
    return { queryType: request.queryType, queries, metaCubes };
  }

  private async compile(normalized: Json, request: ParsedRequest, metaCubes: Json[]): Promise<Json> {
    try {
      return await this.compiler.getSql(normalized);
    } catch (e) {
      throw await this.queryError(e, request, metaCubes);
    }
  }

  private async queryError(e: unknown, request: ParsedRequest, metaCubes: Json[]): Promise<Error> {
    if (/Can't find join path/.test((e as Error)?.message ?? '')) return this.joinError(request, e);
    return asQueryError(e, request, metaCubes);
  }

  /**
   * Members from facts that do not join: say so in the view's names, and which of the query's members do go
   * together (each pair tried with the compiler alone — no data is read).
   */
  private async joinError(request: ParsedRequest, cause: unknown): Promise<QueryError> {
    const q = request.list[0] ?? {};
    const items: Array<{ member: string; key: 'measures' | 'dimensions' }> = [
      ...(q.measures ?? []).map((m: string) => ({ member: m, key: 'measures' as const })),
      ...(q.dimensions ?? []).map((m: string) => ({ member: m, key: 'dimensions' as const })),
      ...(q.timeDimensions ?? []).map((td: Json) => ({ member: td.dimension, key: 'dimensions' as const })),
    ].slice(0, 20);
    const fits = async (group: typeof items) => {
      const query: Json = { measures: [], dimensions: [], timezone: this.defaultTimezone, limit: 1 };
      for (const it of group) if (!query[it.key].includes(it.member)) query[it.key].push(it.member);
      try {
        await this.compiler.getSql(remapToQueryAdapterFormat(normalizeQuery(query, true)));
        return true;
      } catch {
        return false;
      }
    };
    // Greedy groups: each member joins the first group it compiles with.
    const groups: Array<typeof items> = [];
    for (const it of items) {
      let placed = false;
      for (const g of groups) {
        if (await fits([...g, it])) {
          g.push(it);
          placed = true;
          break;
        }
      }
      if (!placed) groups.push([it]);
    }
    const shown = groups.map((g) => `[${[...new Set(g.map((i) => i.member))].join(', ')}]`);
    const message =
      groups.length > 1
        ? `These members cannot be queried together: they come from facts that do not join. Query each group on its own: ${shown.join(' · ')}`
        : `These members cannot be queried together: ${items.map((i) => i.member).join(', ')} come from facts that do not join`;
    return new QueryError(message, 400, cause);
  }

  /**
   * An ungrouped query lists rows one by one; a measure that is a statistic over a group (a median, a rate of
   * sums) has no value per row, and the warehouse refuses the mix. Name those measures: each is tried on its own
   * beside one row-level column (no rows are read: LIMIT 0).
   */
  private async ungroupedError(normalized: Json, request: ParsedRequest, metaCubes: Json[], cause: unknown): Promise<QueryError> {
    const statistics: string[] = [];
    for (const measure of (normalized.measures ?? []) as string[]) {
      const view = measure.split('.')[0];
      const probe = {
        ...normalized,
        measures: [measure],
        dimensions: [`${view}.unit_code`],
        timeDimensions: [],
        order: [],
        limit: 0,
        rowLimit: 0,
        offset: null,
        total: false,
      };
      try {
        const sql = await this.compiler.getSql(probe);
        await this.reader.query(`SELECT * FROM (${sql.sql[0]}) AS probe LIMIT 0`, sql.sql[1]);
      } catch (e) {
        if (isGroupingError(e)) statistics.push(measure);
      }
    }
    const named = statistics.length ? statistics.map((m) => `'${m}'`).join(', ') : 'some of its measures';
    return new QueryError(
      `An ungrouped query lists rows one by one, and ${named} ${statistics.length === 1 ? 'is a statistic' : 'are statistics'} over a group of rows (a median, a rate or an average): remove ${statistics.length === 1 ? 'it' : 'them'} from measures, or ask without "ungrouped"`,
      400,
      cause,
    );
  }

  private async warehouseQuery<T>(sql: string, params: unknown[], request: ParsedRequest, metaCubes: Json[], mapRow?: (row: Record<string, unknown>) => T) {
    return this.reader.query(sql, params, mapRow).catch((e) => {
      throw missingDataError(e) ?? warehouseInputError(e, request, metaCubes) ?? e;
    });
  }

  private async execute(
    q: { normalized: Json; sql?: Json },
    ctx: RequestContext,
    metaCubes: Json[],
    queryType: QueryType,
    request: ParsedRequest,
  ): Promise<Json> {
    const sqlQuery = q.sql ?? (await this.compile(q.normalized, request, metaCubes));
    const [text, params] = sqlQuery.sql as [string, unknown[]];
    const started = Date.now();
    const annotation = prepareAnnotation(visibleMetaOf(metaCubes), q.normalized);
    const mapRow = rowMapper(sqlQuery.aliasNameToMember, q.normalized, queryType, timeMembersOf(annotation));
    const { rows, manifest } = await this.warehouseQuery(text, params, request, metaCubes, mapRow).catch(async (e) => {
      throw q.normalized.ungrouped && isGroupingError(e) ? await this.ungroupedError(q.normalized, request, metaCubes, e) : e;
    });
    let total: number | null = null;
    if (q.normalized.total) {
      const totalSql = await this.compile(
        { ...q.normalized, totalQuery: true, order: undefined, limit: null, rowLimit: null, offset: null },
        request,
        metaCubes,
      );
      const res = await this.warehouseQuery(totalSql.sql[0], totalSql.sql[1], request, metaCubes);
      total = Number((res.rows[0] as Json | undefined)?.total_count ?? 0);
    }
    this.logger.debug({ request_id: ctx.requestId, user: ctx.securityContext.sub, rows: rows.length, duration_ms: Date.now() - started }, 'api.load.executed');
    return {
      query: q.normalized,
      lastRefreshTime: new Date(manifest.publishedAt).toISOString(),
      usedPreAggregations: {},
      annotation,
      dataSource: 'default',
      dbType: this.reader.dbType,
      extDbType: 'cubestore',
      external: false,
      slowQuery: false,
      total: q.normalized.total ? total : null,
      data: rows,
      pano: freshnessOf(manifest),
    };
  }
}

/** Compiled queries kept per query text and context (small: SQL text and the normalized query). */
const COMPILED_MAX = 2000;

/** 2026-11-28T11 — cached answers of relative date ranges live at most until the hour turns. */
function currentHour(): string {
  return new Date().toISOString().slice(0, 13);
}

/** A request after parsing and validation: its queries (compareDateRange already split) and its text for keys. */
interface ParsedRequest {
  queryType: QueryType;
  list: Json[];
  text: string;
}

interface Prepared {
  queryType: QueryType;
  queries: Array<{ normalized: Json; sql?: Json }>;
  metaCubes: Json[];
}

/** Same split as Cube's gateway: one query per compareDateRange entry. */
function splitCompareDateRange(query: Json): Json[] {
  const tds: Json[] = Array.isArray(query.timeDimensions) ? query.timeDimensions : [];
  const idx = tds.findIndex((td) => td && td.compareDateRange != null);
  if (idx < 0) return [query];
  if (tds.filter((td) => td && td.compareDateRange != null).length > 1) throw new QueryError('compareDateRange can only exist for one timeDimension');
  const ranges = tds[idx].compareDateRange;
  if (!Array.isArray(ranges) || !ranges.length) throw new QueryError('compareDateRange must be a non-empty array of date ranges');
  return ranges.map((dateRange: unknown) => ({
    ...structuredClone(query),
    timeDimensions: tds.map((td, i) => {
      if (i !== idx) return td;
      const { compareDateRange: _omit, ...rest } = td;
      return { ...rest, dateRange };
    }),
  }));
}

/** Rows keyed by SQL alias → rows keyed by member name, time values as Cube prints them (local, no offset). */
/** The visible members of a meta answer, computed once per meta (it is cached per security context). */
const visibleMetaCache = new WeakMap<Json[], Json[]>();
function visibleMetaOf(metaCubes: Json[]): Json[] {
  let v = visibleMetaCache.get(metaCubes);
  if (!v) {
    v = metaCubes.map((c) => ({
      config: { ...c.config, measures: c.config.measures?.filter((m: Json) => m.isVisible), dimensions: c.config.dimensions?.filter((m: Json) => m.isVisible) },
    }));
    visibleMetaCache.set(metaCubes, v);
  }
  return v;
}

/** Members whose values are times: every time dimension, grouped or plain (Cube prints all of them local, without 'Z'). */
function timeMembersOf(annotation: Json): Set<string> {
  const out = new Set<string>();
  for (const group of [annotation?.dimensions, annotation?.timeDimensions]) {
    for (const [member, a] of Object.entries((group ?? {}) as Record<string, Json>)) if (a?.type === 'time') out.add(member);
  }
  return out;
}

function rowMapper(aliasToMember: Record<string, string>, query: Json, queryType: QueryType, timeMembers: Set<string>): (row: Record<string, unknown>) => Json {
  // compareDateRange results carry their range on every row, as Cube's own transform does.
  const compareRange =
    queryType === 'compareDateRangeQuery' ? (query.timeDimensions ?? []).find((td: Json) => Array.isArray(td.dateRange))?.dateRange.join(' - ') : undefined;
  const tdBase = new Map<string, string>();
  const perDim = new Map<string, number>();
  for (const td of query.timeDimensions ?? []) {
    if (td.granularity) perDim.set(td.dimension, (perDim.get(td.dimension) ?? 0) + 1);
  }
  for (const td of query.timeDimensions ?? []) {
    if (td.granularity && perDim.get(td.dimension) === 1) tdBase.set(`${td.dimension}.${td.granularity}`, td.dimension);
  }
  for (const td of query.timeDimensions ?? []) if (td.granularity) timeMembers.add(`${td.dimension}.${td.granularity}`);
  return (row) => {
    const out: Json = {};
    for (const [alias, value] of Object.entries(row)) {
      const member = aliasToMember[alias];
      if (!member) continue;
      const v = timeMembers.has(member) && typeof value === 'string' ? value.replace(/Z$/, '') : value;
      out[member] = v;
      const base = tdBase.get(member);
      if (base) out[base] = v;
    }
    if (compareRange !== undefined) out.compareDateRange = compareRange;
    return out;
  };
}

/**
 * An answer as UTF-8 JSON bytes, with its `data` arrays written and encoded a slice at a time and the event loop
 * free between slices: a 50 000-row answer is ≈ 20 MB of JSON, whose serialisation, UTF-8 encoding and length
 * count in one piece each held every other request for about a tenth of a second.
 */
async function encodeInSlices(response: Json): Promise<Buffer> {
  const results: Json[] = Array.isArray(response.results) ? response.results : [response];
  const rows = results.reduce((n, r) => n + (Array.isArray(r.data) ? r.data.length : 0), 0);
  if (rows <= SLICE_ROWS) return Buffer.from(JSON.stringify(response), 'utf8');
  const nonce = `__pano_data_${crypto.randomUUID()}_`;
  const datas = results.map((r) => r.data as Json[]);
  results.forEach((r, i) => (r.data = `${nonce}${i}`));
  const frame = JSON.stringify(response);
  results.forEach((r, i) => (r.data = datas[i]));
  const pieces: Buffer[] = [];
  let last = 0;
  for (const m of frame.matchAll(new RegExp(`"${nonce}(\\d+)"`, 'g'))) {
    pieces.push(Buffer.from(`${frame.slice(last, m.index)}[`, 'utf8'));
    const data = datas[Number(m[1])];
    for (let i = 0; i < data.length; i += SLICE_ROWS) {
      const slice = JSON.stringify(data.slice(i, i + SLICE_ROWS)).slice(1, -1);
      pieces.push(Buffer.from(i ? `,${slice}` : slice, 'utf8'));
      await yieldToEventLoop();
    }
    pieces.push(Buffer.from(']', 'utf8'));
    last = m.index! + m[0].length;
  }
  pieces.push(Buffer.from(frame.slice(last), 'utf8'));
  return Buffer.concat(pieces);
}
const SLICE_ROWS = 2000;

/**
 * A query on a view whose source is not loaded (the mart table is absent from the serving snapshot) gets a 400
 * that says so, instead of the warehouse's catalog error.
 */
function missingDataError(e: unknown): QueryError | null {
  const message = (e as Error)?.message ?? '';
  const m = /Table with name (\w+) does not exist/.exec(message) ?? /relation "(?:marts\.)?(\w+)" does not exist/.exec(message);
  if (!m) return null;
  return new QueryError(
    `The data for this query is not in the serving snapshot (table marts.${m[1]} is missing): its source has not been loaded — run \`pano etl run\` with that source configured`,
    400,
    e,
  );
}

/** Cube's UserErrors and compile errors become 400s naming the problem in the view's member names; anything else stays a server error. */
function asQueryError(e: unknown, request: ParsedRequest, metaCubes: Json[]): Error {
  if (e instanceof QueryError) return e;
  const err = e as Error & { constructor: { name: string } };
  const name = err?.constructor?.name ?? '';
  const message = err?.message ?? String(e);
  if (
    name === 'UserError' ||
    name === 'ValidationError' ||
    name === 'CompileError' ||
    /not found for path|Unknown|is not defined|Invalid|must be|required|allowed|join path/.test(message)
  ) {
    return new QueryError(viewLanguage(message.replace(/^Error: /, ''), request.list, metaCubes), 400, e);
  }
  return err instanceof Error ? err : new Error(message);
}

/**
 * A warehouse error caused by the query's values rather than by Pano (a value DuckDB or PostgreSQL cannot convert,
 * a number out of range): a 400 in the view's words. Everything else is a server error, logged as one.
 */
/** DuckDB's and PostgreSQL's refusal of a row-level column beside an aggregate without GROUP BY. */
function isGroupingError(e: unknown): boolean {
  const message = (e as Error)?.message ?? '';
  return /must appear in the GROUP BY clause|must be part of an aggregate function/i.test(message) || (e as { code?: unknown })?.code === '42803';
}

function warehouseInputError(e: unknown, request: ParsedRequest, metaCubes: Json[]): QueryError | null {
  const message = (e as Error)?.message ?? '';
  const pgCode = (e as { code?: unknown })?.code;
  const isInput = /^(Conversion|Invalid Input|Out of Range) Error/.test(message) || (typeof pgCode === 'string' && pgCode.startsWith('22'));
  if (!isInput) return null;
  return new QueryError(
    `The warehouse cannot evaluate this query with the values given: ${viewLanguage(message.split('\n')[0], request.list, metaCubes)}`,
    400,
    e,
  );
}
