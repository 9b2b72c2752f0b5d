import crypto from 'node:crypto';
import { createRequire } from 'node:module';
import { QueryError } from '../../../common/errors.js';
import type { Logger } from '../../../common/logger.js';
import type { SnapshotManifest } from '../../../etl/warehouse/snapshots.js';
import type { Warehouse } from '../warehouse/reader.js';
import type { Compiler, RequestContext } from './compiler.js';

const require = createRequire(import.meta.url);
const { normalizeQuery, remapToQueryAdapterFormat, getPivotQuery } = require('@cubejs-backend/api-gateway/dist/src/query.js');
const { prepareAnnotation } = require('@cubejs-backend/api-gateway/dist/src/helpers/prepare-annotation.js');

type Json = Record<string, any>;
type QueryType = 'regularQuery' | 'compareDateRangeQuery' | 'blendingQuery';

interface MemberInfo {
  kind: 'measure' | 'dimension' | 'segment';
  type: string;
  visible: boolean;
}

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

/**
 * Cube's REST contract (/load, /meta, /sql, /dry-run) on Cube's own compiler, with Pano's guards:
 * every member must exist and be public and visible to the caller's role (Cube's compiler alone would let a
 * query on a private cube bypass the view's access policy), access policies are applied to every query,
 * and results are cached per query, security context and snapshot.
 */
export class CubeQueryService {
  private cache = new Map<string, CacheEntry>();
  /** Cache misses being answered now, by cache key. */
  private inflight = new Map<string, Promise<CacheEntry>>();
  /** Compiled queries (after access policies) and meta per security context: the model does not change while serving. */
  private compiled = new Map<string, Promise<Prepared>>();
  private metaByContext = new Map<string, Promise<Json[]>>();
  private readonly cacheMax: number;
  private readonly defaultTimezone: string;

  constructor(
    private readonly compiler: Compiler,
    private readonly reader: Warehouse,
    private readonly logger: Logger,
    opts: { cacheMax?: number; timezone?: string } = {},
  ) {
    this.cacheMax = opts.cacheMax ?? 1000;
    this.defaultTimezone = opts.timezone ?? 'Europe/Istanbul';
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

  /** /load. `multi` is what @cubejs-client/core asks for (queryType=multi): {queryType, results, pivotQuery}. */
  async load(input: unknown, ctx: RequestContext, opts: { multi: boolean }): Promise<Json> {
    return (await this.loadEntry(input, ctx, opts)).response;
  }

  /** /load for HTTP: the response as JSON text, serialized once per cache entry (a cache hit only looks it up). */
  async loadJson(input: unknown, ctx: RequestContext, opts: { multi: boolean }): Promise<string> {
    const entry = await this.loadEntry(input, ctx, opts);
    return (entry.json ??= JSON.stringify(entry.response));
  }

  private async loadEntry(input: unknown, ctx: RequestContext, opts: { multi: boolean }): Promise<CacheEntry> {
    await this.reader.refresh();
    const manifest = this.reader.manifest();
    const cacheKey = manifest ? this.cacheKey(input, ctx, manifest.snapshotId, opts.multi) : null;
    const hit = cacheKey ? this.cache.get(cacheKey) : undefined;
    if (hit) {
      this.cache.delete(cacheKey!);
      this.cache.set(cacheKey!, hit);
      return hit;
    }
    if (!cacheKey) return this.run(input, ctx, opts, null, null);
    // Single flight: a dashboard opened by many people at once runs each of its queries once, not once per person.
    let pending = this.inflight.get(cacheKey);
    if (!pending) {
      pending = this.run(input, ctx, opts, cacheKey, manifest!.snapshotId).finally(() => this.inflight.delete(cacheKey));
      this.inflight.set(cacheKey, pending);
    }
    return pending;
  }

  private async run(input: unknown, ctx: RequestContext, opts: { multi: boolean }, cacheKey: string | null, snapshotId: string | null): Promise<CacheEntry> {
    const { queryType, queries, metaCubes } = await this.prepareCached(input, ctx);
    if (!opts.multi && queryType !== 'regularQuery') {
      throw new QueryError(`'${queryType}' query type is not supported by the client. Please update the client.`);
    }
    const results = [];
    for (const q of queries) results.push(await this.execute(q, ctx, metaCubes, queryType));
    const response = opts.multi
      ? { queryType, results, pivotQuery: getPivotQuery(queryType, structuredClone(queries.map((q) => q.normalized))), slowQuery: false }
      : results[0];
    const servedBy = results[0]?.pano?.snapshotId;
    const entry: CacheEntry = { response };
    if (cacheKey && servedBy === snapshotId) {
      this.cache.set(cacheKey, entry);
      if (this.cache.size > this.cacheMax) this.cache.delete(this.cache.keys().next().value!);
    }
    return entry;
  }

  /** /sql: the SQL Pano would run for the query, with the caller's access policies applied. */
  async sql(input: unknown, ctx: RequestContext): Promise<Json> {
    const { queries } = await this.prepare(input, ctx);
    const out = [];
    for (const q of queries) {
      const sql = await this.compile(q.normalized);
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
    const { queryType, queries } = await this.prepare(input, ctx);
    const normalizedQueries = queries.map((q) => q.normalized);
    for (const q of normalizedQueries) await this.compile(q);
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

  /** prepare() memoized per query text and security context (failures are not kept). */
  private prepareCached(input: unknown, ctx: RequestContext): Promise<Prepared> {
    // Relative date ranges ("this month") are resolved when a query is normalized: the hour is part of the key.
    const key = `${currentHour()}|${this.contextKey(ctx)}|${typeof input === 'string' ? input : JSON.stringify(input)}`;
    let p = this.compiled.get(key);
    if (!p) {
      p = this.prepare(input, ctx).then(async (prep) => {
        for (const q of prep.queries) q.sql = await this.compile(q.normalized);
        return prep;
      });
      p.catch(() => this.compiled.delete(key));
      this.compiled.set(key, p);
      if (this.compiled.size > this.cacheMax) this.compiled.delete(this.compiled.keys().next().value!);
    }
    return p;
  }

  private cacheKey(input: unknown, ctx: RequestContext, snapshotId: string, multi: boolean): string {
    const sc = ctx.securityContext;
    return crypto
      .createHash('sha256')
      .update(JSON.stringify([currentHour(), snapshotId, multi, sc.roles, sc.unit_code ?? null, typeof input === 'string' ? input : JSON.stringify(input)]))
      .digest('hex');
  }

  /** Parse → split compareDateRange → check members → normalize → apply access policies → normalize again. */
  private async prepare(input: unknown, ctx: RequestContext): Promise<Prepared> {
    let parsed: unknown = input;
    if (typeof input === 'string') {
      try {
        parsed = JSON.parse(input);
      } catch (e) {
        throw new QueryError(`Invalid query format: the query is not valid JSON (${(e as Error).message})`);
      }
    }
    if (parsed == null || typeof parsed !== 'object') throw new QueryError('Invalid query format: expected a query object or an array of queries');
    let queryType: QueryType = 'regularQuery';
    let list: Json[];
    if (Array.isArray(parsed)) {
      if (!parsed.length) throw new QueryError('Invalid query format: the query array is empty');
      queryType = 'blendingQuery';
      list = parsed as Json[];
    } else {
      const split = splitCompareDateRange(parsed as Json);
      if (split.length > 1 || (parsed as Json).timeDimensions?.some?.((td: Json) => td?.compareDateRange)) queryType = 'compareDateRangeQuery';
      list = split;
    }
    for (const q of list) {
      if (q == null || typeof q !== 'object' || Array.isArray(q)) throw new QueryError('Invalid query format: each query must be an object');
    }
    const metaCubes = await this.metaConfig(ctx);
    const members = memberIndex(metaCubes);
    const queries = [];
    for (const q of list) {
      checkMembers(q, members);
      const withTz = { ...q, timezone: q.timezone ?? this.defaultTimezone };
      let normalized: Json;
      try {
        normalized = normalizeQuery(withTz, false);
        const { query: secured } = await this.compiler.applyRowLevelSecurity(normalized, normalized, ctx);
        normalized = remapToQueryAdapterFormat(normalizeQuery(secured, false));
      } catch (e) {
        throw asQueryError(e);
      }
      queries.push({ normalized });
    }
    return { queryType, queries, metaCubes };
  }

  private async compile(normalized: Json): Promise<Json> {
    try {
      return await this.compiler.getSql(normalized);
    } catch (e) {
      throw asQueryError(e);
    }
  }

  private async execute(q: { normalized: Json; sql?: Json }, ctx: RequestContext, metaCubes: Json[], queryType: QueryType): Promise<Json> {
    const sqlQuery = q.sql ?? (await this.compile(q.normalized));
    const [text, params] = sqlQuery.sql as [string, unknown[]];
    const started = Date.now();
    const { rows, manifest } = await this.reader.query(text, params).catch((e) => {
      throw missingDataError(e) ?? e;
    });
    let total: number | null = null;
    if (q.normalized.total) {
      const totalSql = await this.compile({ ...q.normalized, totalQuery: true, order: undefined, limit: null, rowLimit: null, offset: null });
      const res = await this.reader.query(totalSql.sql[0], totalSql.sql[1]);
      total = Number(res.rows[0]?.total_count ?? 0);
    }
    this.logger.debug({ request_id: ctx.requestId, user: ctx.securityContext.sub, rows: rows.length, duration_ms: Date.now() - started }, 'api.load.executed');
    const annotation = prepareAnnotation(visibleMetaOf(metaCubes), q.normalized);
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
      data: transformRows(rows, sqlQuery.aliasNameToMember, q.normalized, queryType, timeMembersOf(annotation)),
      pano: freshnessOf(manifest),
    };
  }
}

/** 2026-11-28T11 — cached answers of relative date ranges live at most until the hour turns. */
function currentHour(): string {
  return new Date().toISOString().slice(0, 13);
}

/** A cached /load answer; its JSON text is made on the first HTTP read and reused by every hit after. */
interface CacheEntry {
  response: Json;
  json?: string;
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

/** The filter operators Cube documents. */
const FILTER_OPERATORS = [
  'equals', 'notEquals', 'contains', 'notContains', 'startsWith', 'notStartsWith', 'endsWith', 'notEndsWith', 'in', 'notIn',
  'gt', 'gte', 'lt', 'lte', 'set', 'notSet', 'inDateRange', 'notInDateRange', 'onTheDate', 'beforeDate',
  'beforeOrOnDate', 'afterDate', 'afterOrOnDate', 'measureFilter',
];

function memberIndex(cubes: Json[]): Map<string, MemberInfo> {
  const index = new Map<string, MemberInfo>();
  for (const c of cubes) {
    const cubeVisible = c.config.public !== false && c.config.isVisible !== false;
    const add = (kind: MemberInfo['kind'], items: Json[] = []) => {
      for (const m of items) index.set(m.name, { kind, type: m.type, visible: cubeVisible && m.isVisible !== false && m.public !== false });
    };
    add('measure', c.config.measures);
    add('dimension', c.config.dimensions);
    add('segment', c.config.segments);
  }
  return index;
}

/** Every member a query names must exist, be of the right kind, and be visible to the caller (400 / 403). */
function checkMembers(q: Json, index: Map<string, MemberInfo>): void {
  const need = (member: unknown, where: string, kinds: MemberInfo['kind'][], timeOnly = false) => {
    if (typeof member !== 'string' || !member) throw new QueryError(`Invalid query format: ${where} must name a member as "view.member"`);
    const parts = member.split('.');
    const name = parts.length === 3 && where === 'order' ? parts.slice(0, 2).join('.') : member;
    const info = index.get(name);
    if (!info) throw new QueryError(`Unknown member '${member}' in ${where}`);
    if (!info.visible) throw new QueryError(`You requested hidden member: '${member}' (in ${where}); query the public views instead`, 403);
    if (!kinds.includes(info.kind)) throw new QueryError(`'${member}' in ${where} is a ${info.kind}, expected a ${kinds.join(' or ')}`);
    if (timeOnly && info.type !== 'time') throw new QueryError(`'${member}' in ${where} is not a time dimension`);
  };
  const list = (key: string, kinds: MemberInfo['kind'][]) => {
    const v = q[key];
    if (v == null) return;
    if (!Array.isArray(v)) throw new QueryError(`Invalid query format: "${key}" must be an array`);
    v.forEach((m) => need(m, key, kinds));
  };
  list('measures', ['measure']);
  list('dimensions', ['dimension']);
  list('segments', ['segment']);
  if (q.timeDimensions != null) {
    if (!Array.isArray(q.timeDimensions)) throw new QueryError('Invalid query format: "timeDimensions" must be an array');
    for (const td of q.timeDimensions) {
      if (!td || typeof td !== 'object') throw new QueryError('Invalid query format: each time dimension must be an object');
      need(td.dimension, 'timeDimensions', ['dimension'], true);
    }
  }
  const walk = (filters: unknown) => {
    if (filters == null) return;
    if (!Array.isArray(filters)) throw new QueryError('Invalid query format: "filters" must be an array');
    for (const f of filters as Json[]) {
      if (!f || typeof f !== 'object') throw new QueryError('Invalid query format: each filter must be an object');
      if (f.and || f.or) walk(f.and ?? f.or);
      else {
        need(f.member ?? f.dimension, 'filters', ['measure', 'dimension']);
        if (!FILTER_OPERATORS.includes(f.operator)) {
          throw new QueryError(`Unknown filter operator '${String(f.operator)}' on '${f.member ?? f.dimension}': use one of ${FILTER_OPERATORS.join(', ')}`);
        }
      }
    }
  };
  walk(q.filters);
  if (q.order != null) {
    const keys = Array.isArray(q.order) ? q.order.map((o: unknown) => (Array.isArray(o) ? o[0] : undefined)) : typeof q.order === 'object' ? Object.keys(q.order) : null;
    if (!keys) throw new QueryError('Invalid query format: "order" must be an object or an array of [member, direction]');
    keys.forEach((k: unknown) => need(k, 'order', ['measure', 'dimension']));
  }
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

function transformRows(
  rows: Array<Record<string, unknown>>,
  aliasToMember: Record<string, string>,
  query: Json,
  queryType: QueryType,
  timeMembers: Set<string>,
): Json[] {
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
  return rows.map((row) => {
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
  });
}

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

/** Cube's UserErrors and compile errors become 400s naming the problem; anything else stays a server error. */
function asQueryError(e: unknown): Error {
  if (e instanceof QueryError) return e;
  const err = e as Error & { constructor: { name: string } };
  const name = err?.constructor?.name ?? '';
  const message = err?.message ?? String(e);
  if (name === 'UserError' || name === 'ValidationError' || name === 'CompileError' || /not found for path|Unknown|is not defined|Invalid|must be|required|allowed/.test(message)) {
    return new QueryError(message.replace(/^Error: /, ''), 400, e);
  }
  return err instanceof Error ? err : new Error(message);
}
