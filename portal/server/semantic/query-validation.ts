import { DateTime, IANAZone } from 'luxon';
import { QueryError } from '../../../common/errors.js';

/**
 * The gateway's allow-list (DESIGN.md decision 10): every field of a Cube query that reaches Cube's compiler is
 * checked here first, and anything Pano does not know is refused with a 400 naming it. Cube's own compiler trusts
 * its caller: `joinHints`, `subqueryJoins` or `maskedMembers` can re-route a view's join to its unit (and with it
 * row-level security), and a malformed value can reach the warehouse as SQL text. So this module decides, from
 * the member types in `/meta`, which operator and which value each member accepts.
 */

type Json = Record<string, any>;

export interface MemberInfo {
  kind: 'measure' | 'dimension' | 'segment';
  /** Cube's member type: number, string, time, boolean (measures: number, string, time, boolean, count …). */
  type: string;
  visible: boolean;
  /** Custom granularities a time dimension declares, besides Cube's standard ones. */
  granularities?: string[];
}

export type MemberIndex = Map<string, MemberInfo>;

/** Bounds on the work one request may ask for (README: "Limits of one query"). */
export interface QueryLimits {
  /** Largest `limit` a query may ask; a query without one gets `defaultRows`. */
  maxRows: number;
  defaultRows: number;
  /** Measures + dimensions + time dimensions + segments of one query. */
  maxMembers: number;
  /** Filter conditions (leaves) of one query, and how deep `and`/`or` groups may nest. */
  maxFilters: number;
  maxFilterDepth: number;
  /** Values of one filter condition, and characters of one value. */
  maxValues: number;
  maxValueLength: number;
  /** Queries of one request: a blending array, or the ranges of one compareDateRange. */
  maxQueries: number;
  maxOffset: number;
}

export const DEFAULT_QUERY_LIMITS: QueryLimits = {
  maxRows: 50_000,
  defaultRows: 10_000,
  maxMembers: 100,
  maxFilters: 100,
  maxFilterDepth: 8,
  maxValues: 1_000,
  maxValueLength: 1_000,
  maxQueries: 12,
  maxOffset: 10_000_000,
};

/** The query fields Pano accepts; each is validated below. */
export const ALLOWED_QUERY_FIELDS = [
  'measures',
  'dimensions',
  'segments',
  'timeDimensions',
  'filters',
  'order',
  'limit',
  'offset',
  'total',
  'ungrouped',
  'timezone',
  'responseFormat',
  'cache',
  'cacheMode',
] as const;

/** Fields Cube's query schema knows that Pano refuses, and why. */
export const REFUSED_QUERY_FIELDS: Record<string, string> = {
  joinHints: 'join paths are fixed by the views (each fact joins its own unit, which row-level security relies on)',
  subqueryJoins: 'raw SQL joins are not accepted through the API',
  maskedMembers: 'member masking is decided by the model, not by the query',
};

const STANDARD_GRANULARITIES = ['second', 'minute', 'hour', 'day', 'week', 'month', 'quarter', 'year'];
const CACHE_MODES = ['stale-if-slow', 'stale-while-revalidate', 'must-revalidate', 'no-cache'];

/** Operators by the kind of value a member holds (Cube's documentation, narrowed to what its SQL supports). */
const STRING_OPS = ['equals', 'notEquals', 'contains', 'notContains', 'startsWith', 'notStartsWith', 'endsWith', 'notEndsWith', 'in', 'notIn', 'set', 'notSet'];
const NUMBER_OPS = ['equals', 'notEquals', 'in', 'notIn', 'gt', 'gte', 'lt', 'lte', 'set', 'notSet'];
const BOOLEAN_OPS = ['equals', 'notEquals', 'set', 'notSet'];
const TIME_RANGE_OPS = ['inDateRange', 'notInDateRange'];
const TIME_SINGLE_OPS = ['onTheDate', 'beforeDate', 'beforeOrOnDate', 'afterDate', 'afterOrOnDate'];
const TIME_OPS = [...TIME_RANGE_OPS, ...TIME_SINGLE_OPS, 'set', 'notSet'];
const ALL_OPS = [...new Set([...STRING_OPS, ...NUMBER_OPS, ...TIME_OPS])];

/** Dates Pano accepts: a calendar date, or a date and time (optionally with seconds, fraction, Z or an offset). */
const ABSOLUTE_DATE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,6})?)?(Z|[+-]\d{2}(?::?\d{2})?)?)?$/;
const NUMBER_TEXT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
/** The years a date in a query may fall in: beyond them no data exists and the warehouses' date types end. */
export const MIN_YEAR = 1900;
export const MAX_YEAR = 2199;

const isPlainObject = (v: unknown): v is Json => v != null && typeof v === 'object' && !Array.isArray(v);
const show = (v: unknown) => {
  const text = typeof v === 'string' ? `"${v}"` : JSON.stringify(v);
  return text === undefined ? String(v) : text.length > 80 ? `${text.slice(0, 77)}…` : text;
};

export function memberKindOfType(info: MemberInfo): 'string' | 'number' | 'boolean' | 'time' {
  if (info.type === 'time') return 'time';
  if (info.type === 'boolean') return 'boolean';
  if (info.type === 'string') return 'string';
  if (info.kind === 'measure' || info.type === 'number') return 'number';
  return 'string';
}

/**
 * Checks one raw query object (as the client sent it, before Cube normalizes it). `where` names it in messages
 * ("query", "query[2]"). Throws QueryError (400; 403 for a member the caller may not see).
 */
export function validateQuery(q: unknown, index: MemberIndex, limits: QueryLimits, where = 'query'): void {
  if (!isPlainObject(q)) throw new QueryError(`Invalid query format: ${where} must be an object`);
  for (const key of Object.keys(q)) {
    if (q[key] === undefined) continue;
    if (key in REFUSED_QUERY_FIELDS) throw new QueryError(`Query field "${key}" is not accepted by Pano: ${REFUSED_QUERY_FIELDS[key]}`);
    if (!(ALLOWED_QUERY_FIELDS as readonly string[]).includes(key)) {
      throw new QueryError(`Unknown query field "${key}" in ${where}: Pano accepts ${ALLOWED_QUERY_FIELDS.join(', ')}`);
    }
  }

  const member = (name: unknown, field: string, kinds: MemberInfo['kind'][]): MemberInfo => {
    if (typeof name !== 'string' || !name) throw new QueryError(`Invalid query format: ${field} must name a member as "view.member", got ${show(name)}`);
    if (name.length > 200) throw new QueryError(`Invalid query format: a member name in ${field} is longer than 200 characters`);
    const info = index.get(name);
    if (!info) throw new QueryError(`Unknown member '${name}' in ${field}`);
    if (!info.visible) throw new QueryError(`You requested hidden member: '${name}' (in ${field}); query the public views instead`, 403);
    if (!kinds.includes(info.kind)) throw new QueryError(`'${name}' in ${field} is a ${info.kind}, expected a ${kinds.join(' or ')}`);
    return info;
  };
  const granularity = (info: MemberInfo, dim: string, g: unknown, field: string) => {
    if (typeof g !== 'string' || !(STANDARD_GRANULARITIES.includes(g) || info.granularities?.includes(g))) {
      throw new QueryError(
        `Unknown granularity ${show(g)} for '${dim}' in ${field}: use one of ${[...STANDARD_GRANULARITIES, ...(info.granularities ?? [])].join(', ')}`,
      );
    }
  };
  const array = (key: string): unknown[] => {
    const v = q[key];
    if (v == null) return [];
    if (!Array.isArray(v)) throw new QueryError(`Invalid query format: "${key}" must be an array`);
    return v;
  };

  let members = 0;
  for (const m of array('measures')) {
    member(m, 'measures', ['measure']);
    members++;
  }
  for (const d of array('dimensions')) {
    // "view.member.granularity" is Cube's shorthand for a time dimension with a granularity.
    const parts = typeof d === 'string' ? d.split('.') : [];
    if (parts.length === 3) {
      const name = parts.slice(0, 2).join('.');
      const info = member(name, 'dimensions', ['dimension']);
      if (info.type !== 'time') throw new QueryError(`'${d}' in dimensions: only a time dimension takes a granularity`);
      granularity(info, name, parts[2], 'dimensions');
    } else member(d, 'dimensions', ['dimension']);
    members++;
  }
  for (const s of array('segments')) {
    member(s, 'segments', ['segment']);
    members++;
  }
  const tds = array('timeDimensions');
  let compareRanges = 0;
  tds.forEach((td, i) => {
    const field = `timeDimensions[${i}]`;
    if (!isPlainObject(td)) throw new QueryError(`Invalid query format: ${field} must be an object`);
    for (const key of Object.keys(td)) {
      if (!['dimension', 'granularity', 'dateRange', 'compareDateRange'].includes(key)) {
        throw new QueryError(`Unknown field "${key}" in ${field}: use dimension, granularity, dateRange or compareDateRange`);
      }
    }
    const info = member(td.dimension, field, ['dimension']);
    if (info.type !== 'time') throw new QueryError(`'${td.dimension}' in ${field} is not a time dimension`);
    if (td.granularity != null) granularity(info, td.dimension, td.granularity, field);
    if (td.dateRange != null && td.compareDateRange != null) throw new QueryError(`${field} has both dateRange and compareDateRange: use one`);
    if (td.dateRange != null) checkDateRange(td.dateRange, `${field}.dateRange`);
    if (td.compareDateRange != null) {
      if (!Array.isArray(td.compareDateRange) || td.compareDateRange.length < 1) {
        throw new QueryError(`${field}.compareDateRange must be a non-empty array of date ranges`);
      }
      td.compareDateRange.forEach((r: unknown, j: number) => checkDateRange(r, `${field}.compareDateRange[${j}]`));
      compareRanges += td.compareDateRange.length;
    }
    members++;
  });
  if (compareRanges > limits.maxQueries) {
    throw new QueryError(`Too many compareDateRange ranges: ${compareRanges}; at most ${limits.maxQueries} ranges in one request`);
  }
  if (members > limits.maxMembers) {
    throw new QueryError(
      `Too many members in ${where}: ${members}; at most ${limits.maxMembers} measures, dimensions, time dimensions and segments in one query`,
    );
  }

  const checkFilter = (f: Json, at: string) => {
    for (const key of Object.keys(f)) {
      if (!['member', 'dimension', 'operator', 'values'].includes(key))
        throw new QueryError(`Unknown field "${key}" in ${at}: use member, operator and values`);
    }
    if (f.member != null && f.dimension != null) throw new QueryError(`${at} names both "member" and "dimension": use "member"`);
    const name = f.member ?? f.dimension;
    const info = member(name, at, ['measure', 'dimension']);
    const op = f.operator;
    if (typeof op !== 'string' || !ALL_OPS.includes(op)) {
      throw new QueryError(`Unknown filter operator ${show(op)} on '${name}' in ${at}: use one of ${ALL_OPS.join(', ')}`);
    }
    const kind = memberKindOfType(info);
    const allowed = kind === 'time' ? TIME_OPS : kind === 'number' ? NUMBER_OPS : kind === 'boolean' ? BOOLEAN_OPS : STRING_OPS;
    if (!allowed.includes(op)) {
      throw new QueryError(`Operator '${op}' does not apply to '${name}' (a ${kind} ${info.kind}) in ${at}: use one of ${allowed.join(', ')}`);
    }
    if (op === 'set' || op === 'notSet') {
      if (f.values != null && (!Array.isArray(f.values) || f.values.length)) throw new QueryError(`Operator '${op}' on '${name}' takes no values (${at})`);
      return;
    }
    if (!Array.isArray(f.values) || f.values.length === 0) throw new QueryError(`Operator '${op}' on '${name}' needs values: an array of at least one (${at})`);
    if (f.values.length > limits.maxValues) throw new QueryError(`Too many values for '${name}' in ${at}: ${f.values.length}; at most ${limits.maxValues}`);
    if (kind === 'time') {
      if (TIME_RANGE_OPS.includes(op)) checkDateRange(f.values.length === 1 ? f.values[0] : f.values, `${at}.values`);
      else {
        if (f.values.length !== 1) throw new QueryError(`Operator '${op}' on '${name}' takes one date (${at})`);
        if (op === 'onTheDate') checkDateRange(f.values[0], `${at}.values`);
        else checkDateValue(f.values[0], `${at}.values[0]`, true);
      }
      return;
    }
    f.values.forEach((v: unknown, j: number) => {
      const vat = `${at}.values[${j}]`;
      if (v === null) throw new QueryError(`A null value for '${name}' in ${vat}: use the operator set or notSet`);
      if (kind === 'number') {
        const ok =
          (typeof v === 'number' && Number.isFinite(v)) ||
          (typeof v === 'string' && v.length <= 40 && NUMBER_TEXT.test(v.trim()) && Number.isFinite(Number(v)));
        if (!ok) throw new QueryError(`'${name}' is a number: ${show(v)} in ${vat} is not a number`);
      } else if (kind === 'boolean') {
        if (!(v === true || v === false || v === 'true' || v === 'false')) throw new QueryError(`'${name}' is true or false: ${show(v)} in ${vat} is neither`);
      } else {
        if (typeof v !== 'string' && typeof v !== 'number') throw new QueryError(`'${name}' takes text values: ${show(v)} in ${vat} is not text`);
        checkText(String(v), vat, limits);
      }
    });
  };

  // Filters: walked with an explicit stack, so a body nested thousands of levels deep cannot overflow it.
  if (q.filters != null) {
    if (!Array.isArray(q.filters)) throw new QueryError('Invalid query format: "filters" must be an array');
    let conditions = 0;
    const stack: Array<{ list: unknown[]; depth: number; path: string }> = [{ list: q.filters, depth: 1, path: 'filters' }];
    while (stack.length) {
      const { list, depth, path } = stack.pop()!;
      if (depth > limits.maxFilterDepth) {
        throw new QueryError(`Filters nested too deep at ${path}: at most ${limits.maxFilterDepth} levels of and/or groups`);
      }
      list.forEach((f, i) => {
        const at = `${path}[${i}]`;
        if (!isPlainObject(f)) throw new QueryError(`Invalid query format: ${at} must be a filter object`);
        if ('and' in f || 'or' in f) {
          const keys = Object.keys(f).filter((k) => f[k] !== undefined);
          if (keys.length !== 1) throw new QueryError(`${at} must have exactly one of "and" or "or", and nothing beside it`);
          const inner = f[keys[0]];
          if (!Array.isArray(inner)) throw new QueryError(`Invalid query format: ${at}.${keys[0]} must be an array of filters`);
          stack.push({ list: inner, depth: depth + 1, path: `${at}.${keys[0]}` });
          return;
        }
        if (++conditions > limits.maxFilters) throw new QueryError(`Too many filter conditions: at most ${limits.maxFilters} in one query`);
        checkFilter(f, at);
      });
    }
  }

  // Order: an object {member: "asc"|"desc"} or an array of [member, direction].
  if (q.order != null) {
    const pairs: Array<[unknown, unknown]> = Array.isArray(q.order)
      ? q.order.map((o: unknown, i: number) => {
          if (!Array.isArray(o) || o.length !== 2) throw new QueryError(`Invalid query format: order[${i}] must be [member, "asc" | "desc"]`);
          return [o[0], o[1]] as [unknown, unknown];
        })
      : isPlainObject(q.order)
        ? Object.entries(q.order)
        : (() => {
            throw new QueryError('Invalid query format: "order" must be an object or an array of [member, direction]');
          })();
    if (pairs.length > limits.maxMembers) throw new QueryError(`Too many order entries: at most ${limits.maxMembers}`);
    for (const [m, dir] of pairs) {
      const parts = typeof m === 'string' ? m.split('.') : [];
      if (parts.length === 3) {
        const name = parts.slice(0, 2).join('.');
        const info = member(name, 'order', ['dimension']);
        if (info.type !== 'time') throw new QueryError(`'${String(m)}' in order: only a time dimension takes a granularity`);
        granularity(info, name, parts[2], 'order');
      } else member(m, 'order', ['measure', 'dimension']);
      if (dir !== 'asc' && dir !== 'desc') throw new QueryError(`Order direction for '${String(m)}' must be "asc" or "desc", got ${show(dir)}`);
    }
  }

  if (q.limit != null) {
    if (typeof q.limit !== 'number' || !Number.isInteger(q.limit) || q.limit < 0)
      throw new QueryError(`"limit" must be a whole number of rows ≥ 0, got ${show(q.limit)}`);
    if (q.limit > limits.maxRows)
      throw new QueryError(`"limit" ${q.limit} is above the maximum of ${limits.maxRows} rows per query: page with "offset", or export`);
  }
  if (q.offset != null) {
    if (typeof q.offset !== 'number' || !Number.isInteger(q.offset) || q.offset < 0)
      throw new QueryError(`"offset" must be a whole number ≥ 0, got ${show(q.offset)}`);
    if (q.offset > limits.maxOffset) throw new QueryError(`"offset" ${q.offset} is above the maximum of ${limits.maxOffset}`);
  }
  for (const key of ['total', 'ungrouped']) {
    if (q[key] != null && typeof q[key] !== 'boolean') throw new QueryError(`"${key}" must be true or false, got ${show(q[key])}`);
  }
  if (q.timezone != null) {
    if (typeof q.timezone !== 'string' || q.timezone.length > 64 || !IANAZone.isValidZone(q.timezone)) {
      throw new QueryError(`"timezone" must be an IANA time zone such as Europe/Istanbul, got ${show(q.timezone)}`);
    }
  }
  if (q.responseFormat != null && q.responseFormat !== 'default') {
    throw new QueryError(`"responseFormat" ${show(q.responseFormat)} is not supported: Pano answers in Cube's default format`);
  }
  for (const key of ['cache', 'cacheMode']) {
    if (q[key] != null && !CACHE_MODES.includes(q[key])) throw new QueryError(`"${key}" must be one of ${CACHE_MODES.join(', ')}, got ${show(q[key])}`);
  }
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
/** No lone surrogate halves (they cannot be written as UTF-8, so no warehouse can compare them). */
const wellFormed = (v: string) => !LONE_SURROGATE.test(v);

/** Text values: well-formed Unicode (no lone surrogates), no NUL (PostgreSQL cannot hold it), bounded length. */
function checkText(v: string, at: string, limits: QueryLimits): void {
  if (v.length > limits.maxValueLength) throw new QueryError(`The value in ${at} is longer than ${limits.maxValueLength} characters`);
  if (!wellFormed(v)) throw new QueryError(`The value in ${at} is not valid Unicode text (a lone surrogate)`);
  if (v.includes('\u0000')) throw new QueryError(`The value in ${at} contains a NUL character`);
}

/** A date range as Cube takes it: a relative text ("last 30 days", resolved later and checked then) or 1–2 absolute dates. */
function checkDateRange(range: unknown, at: string): void {
  if (typeof range === 'string') {
    if (!range.trim() || range.length > 100 || !wellFormed(range) || range.includes('\u0000'))
      throw new QueryError(`Cannot read the date range ${show(range)} in ${at}`);
    if (ABSOLUTE_DATE.test(range.trim())) checkDateValue(range.trim(), at, false);
    return;
  }
  if (!Array.isArray(range) || range.length < 1 || range.length > 2) {
    throw new QueryError(`${at} must be a relative range such as "last 30 days" or an array of one or two dates (YYYY-MM-DD), got ${show(range)}`);
  }
  const values = range.map((v, i) => checkDateValue(v, `${at}[${i}]`, false));
  if (values.length === 2 && values[0] > values[1]) throw new QueryError(`${at} starts after it ends: ${show(range)}`);
}

/**
 * One absolute date or date-time: a real calendar day within MIN_YEAR..MAX_YEAR. `relativeOk` lets a relative text
 * through (single-date filters such as afterDate "last week"), to be resolved and checked after normalization.
 * Returns the instant (ms) for ordering checks.
 */
function checkDateValue(v: unknown, at: string, relativeOk: boolean): number {
  if (typeof v !== 'string') throw new QueryError(`${at} must be a date as text (YYYY-MM-DD or YYYY-MM-DDTHH:mm:ss), got ${show(v)}`);
  const m = ABSOLUTE_DATE.exec(v.trim());
  if (!m) {
    if (relativeOk && v.length <= 100 && wellFormed(v) && !v.includes('\u0000') && /[a-z]/i.test(v)) return 0;
    throw new QueryError(`${at}: ${show(v)} is not a date (use YYYY-MM-DD or YYYY-MM-DDTHH:mm:ss)`);
  }
  const [, y, mo, d, h, mi, s] = m;
  const dt = DateTime.fromObject(
    { year: Number(y), month: Number(mo), day: Number(d), hour: Number(h ?? 0), minute: Number(mi ?? 0), second: Number(s ?? 0) },
    { zone: 'UTC' },
  );
  if (!dt.isValid) throw new QueryError(`${at}: ${show(v)} is not a date in the calendar (${dt.invalidExplanation ?? dt.invalidReason})`);
  if (dt.year < MIN_YEAR || dt.year > MAX_YEAR) throw new QueryError(`${at}: ${show(v)} is outside the years ${MIN_YEAR}–${MAX_YEAR}`);
  return dt.toMillis();
}

/**
 * After Cube normalized a query (relative ranges resolved to absolute ones in the query's time zone): every date
 * that will reach the warehouse must still be a real date within the years Pano accepts ("from 10000 years ago
 * to now" parses, then fails in the warehouse).
 */
export function validateResolvedDates(normalized: Json): void {
  const check = (v: unknown, at: string) => {
    if (typeof v !== 'string') return;
    const m = ABSOLUTE_DATE.exec(v);
    const year = m ? Number(m[1]) : NaN;
    if (!m || !DateTime.fromISO(v.replace(' ', 'T'), { zone: 'UTC' }).isValid || year < MIN_YEAR || year > MAX_YEAR) {
      throw new QueryError(`${at} resolves to ${show(v)}, not a date within the years ${MIN_YEAR}–${MAX_YEAR}: use a narrower range`);
    }
  };
  (normalized.timeDimensions ?? []).forEach((td: Json, i: number) => {
    for (const v of Array.isArray(td.dateRange) ? td.dateRange : []) check(v, `timeDimensions[${i}].dateRange`);
    for (const r of Array.isArray(td.compareDateRange) ? td.compareDateRange : [])
      for (const v of Array.isArray(r) ? r : []) check(v, `timeDimensions[${i}].compareDateRange`);
  });
  for (const f of filterLeaves(normalized.filters)) {
    if (TIME_OPS.includes(f.operator) && Array.isArray(f.values)) for (const v of f.values) check(v, `the filter on '${f.member}'`);
  }
}

/** The conditions of a filter list, through any nesting of `and`/`or` groups (iteratively: no recursion depth). */
export function filterLeaves(filters: unknown): Json[] {
  const leaves: Json[] = [];
  const stack: unknown[] = Array.isArray(filters) ? [...filters] : [];
  while (stack.length) {
    const f = stack.pop() as Json;
    if (!f || typeof f !== 'object') continue;
    if (Array.isArray(f.and)) stack.push(...f.and);
    else if (Array.isArray(f.or)) stack.push(...f.or);
    else leaves.push(f);
  }
  return leaves;
}

/** The member index of a /meta answer: every member by name, with kind, type, visibility and granularities. */
export function memberIndexOf(cubes: Json[]): MemberIndex {
  const index: MemberIndex = new Map();
  for (const c of cubes) {
    const cubeVisible = c.config.public !== false && c.config.isVisible !== false;
    const add = (kind: MemberInfo['kind'], items: Json[] = []) => {
      for (const m of items) {
        index.set(m.name, {
          kind,
          type: m.type,
          visible: cubeVisible && m.isVisible !== false && m.public !== false,
          granularities: Array.isArray(m.granularities) ? m.granularities.map((g: Json) => g.name).filter((n: unknown) => typeof n === 'string') : undefined,
        });
      }
    };
    add('measure', c.config.measures);
    add('dimension', c.config.dimensions);
    add('segment', c.config.segments);
  }
  return index;
}
