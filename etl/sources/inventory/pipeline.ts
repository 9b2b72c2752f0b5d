import type { Knex } from 'knex';
import type { PanoConfig } from '../../../common/config.js';
import { describeUrl } from '../../../common/db/knex-url.js';
import { redactTcknInRecord } from '../../../common/kvkk.js';
import { loadUnitMap } from '../../unit-map.js';
import {
  businessDay,
  connectGlpiAssets,
  detectAssetLayout,
  extractGlpiAssets,
  extractSnipeItHardware,
  GLPI_ASSET_TABLES,
  maskSnipeItAsset,
  openSnipeIt,
  recordDailySnapshot,
  validateGlpiAsset,
  validateSnipeItAsset,
  type FetchLike,
  type SnipeItHandle,
} from './index.js';
import type { CheckContext, QualityCheckResult, SourceDefinition } from '../../source.js';
import type { Column } from '../../warehouse/duckdb.js';
import { SOURCE_IDS } from '../../source-ids.js';

/**
 * The inventory system (envanter) as runner sources:
 *   - `glpi_assets`: GLPI's computers, monitors, printers, network equipment and phones
 *     → raw_inventory.glpi_assets, history in raw_inventory.asset_daily;
 *   - `snipeit` (only when PANO_SNIPEIT_URL is set): Snipe-IT's /api/v1/hardware
 *     → raw_inventory.snipeit_assets, history in raw_inventory.snipeit_asset_daily.
 * Both land the same common columns, so the marts (etl/marts/inventory.ts) read them as one.
 */

export const INVENTORY_SCHEMA = 'raw_inventory';

/** Columns both inventory sources land (dates as 'YYYY-MM-DD' text; the marts cast them to DATE). */
export const ASSET_COMMON_COLUMNS: Column[] = [
  { name: 'asset_key', type: 'VARCHAR' },
  { name: 'source_id', type: 'VARCHAR' },
  { name: 'name', type: 'VARCHAR' },
  { name: 'inventory_number', type: 'VARCHAR' },
  { name: 'serial', type: 'VARCHAR' },
  { name: 'asset_type', type: 'VARCHAR' },
  { name: 'subtype', type: 'VARCHAR' },
  { name: 'manufacturer', type: 'VARCHAR' },
  { name: 'model', type: 'VARCHAR' },
  { name: 'state_name', type: 'VARCHAR' },
  { name: 'status', type: 'VARCHAR' },
  { name: 'status_label', type: 'VARCHAR' },
  { name: 'location', type: 'VARCHAR' },
  { name: 'group_name', type: 'VARCHAR' },
  { name: 'unit_code', type: 'VARCHAR' },
  { name: 'unit_resolved_via', type: 'VARCHAR' },
  { name: 'supplier', type: 'VARCHAR' },
  { name: 'purchase_date', type: 'VARCHAR' },
  { name: 'warranty_start', type: 'VARCHAR' },
  { name: 'warranty_months', type: 'INTEGER' },
  { name: 'warranty_lifelong', type: 'BOOLEAN' },
  { name: 'warranty_end', type: 'VARCHAR' },
  { name: 'value', type: 'DOUBLE' },
  { name: 'decommissioned_at', type: 'TIMESTAMPTZ' },
  { name: 'created_at', type: 'TIMESTAMPTZ' },
  { name: 'modified_at', type: 'TIMESTAMPTZ' },
];

export const GLPI_ASSET_RAW_COLUMNS: Column[] = [
  ...ASSET_COMMON_COLUMNS,
  { name: 'itemtype', type: 'VARCHAR' },
  { name: 'item_id', type: 'BIGINT' },
  { name: 'entity', type: 'VARCHAR' },
  { name: 'tech_group', type: 'VARCHAR' },
  { name: 'group_count', type: 'INTEGER' },
  { name: 'use_date', type: 'VARCHAR' },
  { name: 'immo_number', type: 'VARCHAR' },
  { name: 'order_number', type: 'VARCHAR' },
  { name: 'has_infocom', type: 'BOOLEAN' },
  { name: 'is_dynamic', type: 'BOOLEAN' },
];

export const SNIPEIT_RAW_COLUMNS: Column[] = [
  ...ASSET_COMMON_COLUMNS,
  { name: 'asset_id', type: 'BIGINT' },
  { name: 'category', type: 'VARCHAR' },
  { name: 'company', type: 'VARCHAR' },
  { name: 'status_meta', type: 'VARCHAR' },
  { name: 'assigned_type', type: 'VARCHAR' },
  { name: 'model_number', type: 'VARCHAR' },
  { name: 'eol_date', type: 'VARCHAR' },
  { name: 'book_value', type: 'DOUBLE' },
  { name: 'order_number', type: 'VARCHAR' },
];

/** Quality limits, shared by both sources. */
export const INVENTORY_LIMITS = {
  /** Share of assets whose unit cannot be resolved before `references_resolve` warns. */
  unresolvedShare: 0.02,
  /** Row count change against the previous run: below −10 % or above +50 % warns. */
  minChange: -0.1,
  maxChange: 0.5,
  /** Newest modification older than this many days warns. */
  freshnessDays: 14,
};

const TABLE_OF = new Map(GLPI_ASSET_TABLES.map((t) => [t.itemtype, t.table]));

export interface GlpiAssetsPipelineConfig {
  url: string;
  /** Zone of GLPI's datetimes (PANO_GLPI_TIMEZONE). */
  timezone: string;
  unitMapFile?: string;
  /** Business time zone: the day of the daily snapshot and of "future" checks. */
  businessTimezone: string;
  pageSize?: number;
}

/** GLPI assets (10.0 and 11.0) as a runner source, with the daily snapshot and quality checks. */
export function glpiAssetsSource(cfg: GlpiAssetsPipelineConfig): SourceDefinition<Knex> {
  const unitMap = loadUnitMap(cfg.unitMapFile);
  let unitUnresolved = 0;
  return {
    id: SOURCE_IDS.glpiAssets,
    system: 'inventory',
    title: 'GLPI Envanter',
    location: `GLPI ${describeUrl(cfg.url)} glpi_computers, glpi_monitors, glpi_printers, glpi_networkequipments, glpi_phones`,
    raw: { schema: INVENTORY_SCHEMA, table: 'glpi_assets', columns: GLPI_ASSET_RAW_COLUMNS },
    extraTables: ['asset_daily'],
    async open() {
      unitUnresolved = 0;
      return connectGlpiAssets(cfg.url);
    },
    close: (knex) => knex.destroy(),
    async *extract(knex) {
      const layout = await detectAssetLayout(knex);
      yield* extractGlpiAssets(knex, { layout, pageSize: cfg.pageSize }) as AsyncIterable<Array<Record<string, unknown>>>;
    },
    locator: (r) => `${TABLE_OF.get(r.itemtype as never) ?? String(r.itemtype ?? 'glpi_?')}.id=${String(r.id ?? '?')}`,
    mask: (r) => redactTcknInRecord(r), // no person fields are read; names are masked against stray TC Kimlik Nos
    validate(record) {
      const v = validateGlpiAsset(record, { timezone: cfg.timezone, unitMap });
      if (!v.ok && v.unitOnly) unitUnresolved++;
      return v.ok ? v : { ok: false, reason: v.reason };
    },
    async afterLoad(ctx) {
      await recordDailySnapshot(ctx, { schema: INVENTORY_SCHEMA, table: 'asset_daily', from: 'glpi_assets', source: 'glpi', timezone: cfg.businessTimezone });
    },
    checks: (ctx) => assetChecks(ctx, { table: 'glpi_assets', daily: 'asset_daily', what: 'assets', unitUnresolved, businessTimezone: cfg.businessTimezone }),
  };
}

export interface SnipeItPipelineConfig {
  url: string;
  token?: string;
  /** Zone of Snipe-IT's datetimes (its APP_TIMEZONE). */
  timezone: string;
  unitMapFile?: string;
  businessTimezone: string;
  pageSize?: number;
  includeArchived?: boolean;
  timeoutMs?: number;
  /** Injected `fetch` (tests replay captured responses); default: the global fetch. */
  fetch?: FetchLike;
}

/** Snipe-IT's /api/v1/hardware as a runner source, with its daily snapshot and quality checks. */
export function snipeItSource(cfg: SnipeItPipelineConfig): SourceDefinition<SnipeItHandle> {
  const unitMap = loadUnitMap(cfg.unitMapFile);
  let unitUnresolved = 0;
  let handle: SnipeItHandle | null = null;
  return {
    id: SOURCE_IDS.snipeit,
    system: 'inventory',
    title: 'Snipe-IT Envanter',
    location: `Snipe-IT ${hostOf(cfg.url)} /api/v1/hardware`,
    raw: { schema: INVENTORY_SCHEMA, table: 'snipeit_assets', columns: SNIPEIT_RAW_COLUMNS },
    extraTables: ['snipeit_asset_daily'],
    async open() {
      unitUnresolved = 0;
      handle = openSnipeIt(
        {
          url: cfg.url,
          token: cfg.token as string,
          timezone: cfg.timezone,
          ...(cfg.pageSize !== undefined ? { pageSize: cfg.pageSize } : {}),
          ...(cfg.includeArchived !== undefined ? { includeArchived: cfg.includeArchived } : {}),
          ...(cfg.timeoutMs !== undefined ? { timeoutMs: cfg.timeoutMs } : {}),
        },
        cfg.fetch,
      );
      return handle;
    },
    close: async () => undefined,
    extract: (h) => extractSnipeItHardware(h) as AsyncIterable<Array<Record<string, unknown>>>,
    locator: (r) => `/api/v1/hardware id=${r.id ?? '?'}${r.asset_tag ? ` (asset_tag ${String(r.asset_tag)})` : ''}`,
    mask: (r) => maskSnipeItAsset(r),
    validate(record) {
      const v = validateSnipeItAsset(record, { timezone: cfg.timezone, unitMap });
      if (!v.ok && v.unitOnly) unitUnresolved++;
      return v.ok ? v : { ok: false, reason: v.reason };
    },
    async afterLoad(ctx) {
      await recordDailySnapshot(ctx, {
        schema: INVENTORY_SCHEMA,
        table: 'snipeit_asset_daily',
        from: 'snipeit_assets',
        source: 'snipeit',
        timezone: cfg.businessTimezone,
      });
    },
    async checks(ctx) {
      const out = await assetChecks(ctx, {
        table: 'snipeit_assets',
        daily: 'snipeit_asset_daily',
        what: 'assets',
        unitUnresolved,
        businessTimezone: cfg.businessTimezone,
      });
      if (handle) out.push(completenessCheck(handle));
      return out;
    },
  };
}

/**
 * The inventory streams Pano is configured for: GLPI assets always (the same GLPI as the helpdesk,
 * PANO_GLPI_URL), Snipe-IT only when PANO_SNIPEIT_URL is set.
 */
export function inventorySources(config: PanoConfig, opts: { fetch?: FetchLike } = {}): SourceDefinition<any>[] {
  const sources: SourceDefinition<any>[] = [
    glpiAssetsSource({
      url: config.sources.glpi.url,
      timezone: config.sources.glpi.timezone,
      unitMapFile: config.sources.glpi.unitMapFile,
      businessTimezone: config.timezone,
    }),
  ];
  if (config.sources.snipeit.url) {
    sources.push(
      snipeItSource({
        url: config.sources.snipeit.url,
        token: config.sources.snipeit.token,
        timezone: config.timezone,
        unitMapFile: config.sources.glpi.unitMapFile,
        businessTimezone: config.timezone,
        fetch: opts.fetch,
      }),
    );
  }
  return sources;
}

// ---------------------------------------------------------------------------------------------
// Checks

async function assetChecks(
  ctx: CheckContext,
  o: { table: string; daily: string; what: string; unitUnresolved: number; businessTimezone: string },
): Promise<QualityCheckResult[]> {
  const t = `${INVENTORY_SCHEMA}.${o.table}`;
  const today = businessDay(ctx.now, o.businessTimezone);
  const [k] = await ctx.query(`
    SELECT count(*) AS n, count(asset_key) AS with_key, count(DISTINCT asset_key) AS distinct_keys,
           max(modified_at) AS newest,
           count(*) FILTER (WHERE purchase_date > '${today}' OR purchase_date < '1990-01-01') AS odd_purchase,
           count(*) FILTER (WHERE unit_code IS NULL) AS no_unit
    FROM ${t}`);
  const [d] = await ctx.query(`SELECT count(*) AS n FROM ${INVENTORY_SCHEMA}.${o.daily} WHERE "day" = DATE '${today}'`);
  const n = Number(k.n);
  const out: QualityCheckResult[] = [];
  out.push({
    name: 'keys_not_null',
    severity: 'fail',
    passed: Number(k.with_key) === n && Number(k.no_unit) === 0,
    detail: `${n - Number(k.with_key)} ${o.what} without key, ${Number(k.no_unit)} without unit`,
  });
  out.push({
    name: 'keys_unique',
    severity: 'fail',
    passed: Number(k.distinct_keys) === Number(k.with_key),
    detail: `${Number(k.with_key) - Number(k.distinct_keys)} duplicate asset keys`,
  });
  const share = ctx.rowsRead ? o.unitUnresolved / ctx.rowsRead : 0;
  out.push({
    name: 'references_resolve',
    severity: 'warn',
    passed: share <= INVENTORY_LIMITS.unresolvedShare,
    detail: `${o.unitUnresolved} of ${ctx.rowsRead} ${o.what} have no unit (${(share * 100).toFixed(2)} %; limit ${INVENTORY_LIMITS.unresolvedShare * 100} %)`,
  });
  if (ctx.previousRowsLoaded) {
    const change = (ctx.rowsLoaded - ctx.previousRowsLoaded) / ctx.previousRowsLoaded;
    out.push({
      name: 'row_count_change',
      severity: 'warn',
      passed: change >= INVENTORY_LIMITS.minChange && change <= INVENTORY_LIMITS.maxChange,
      detail: `${ctx.rowsLoaded} ${o.what} against ${ctx.previousRowsLoaded} in the previous run (${(change * 100).toFixed(1)} %; limits ${INVENTORY_LIMITS.minChange * 100} % / +${INVENTORY_LIMITS.maxChange * 100} %)`,
    });
  }
  const newest = k.newest ? new Date(String(k.newest)) : null;
  const ageDays = newest ? (ctx.now.getTime() - newest.getTime()) / 86_400_000 : Infinity;
  out.push({
    name: 'freshness',
    severity: 'warn',
    passed: ageDays <= INVENTORY_LIMITS.freshnessDays,
    detail: newest
      ? `newest change (date_mod) ${ageDays.toFixed(1)} days ago (limit ${INVENTORY_LIMITS.freshnessDays})`
      : `no ${o.what} with a modification date`,
  });
  out.push({
    name: 'purchase_dates_plausible',
    severity: 'warn',
    passed: Number(k.odd_purchase) === 0,
    detail: `${Number(k.odd_purchase)} ${o.what} bought in the future or before 1990`,
  });
  out.push({
    name: 'daily_snapshot',
    severity: 'fail',
    passed: Number(d.n) === n,
    detail: `${Number(d.n)} rows recorded for ${today} in ${INVENTORY_SCHEMA}.${o.daily} for ${n} ${o.what}`,
  });
  out.push({ name: 'not_empty', severity: 'fail', passed: n > 0, detail: `${n} ${o.what} loaded` });
  return out;
}

/** Did every listing pass deliver the `total` the server announced? Short by ≤ 1 % (assets changed while paging) warns, more fails. */
function completenessCheck(h: SnipeItHandle): QualityCheckResult {
  const expected = h.passes.reduce((s, p) => s + p.total, 0);
  const received = h.passes.reduce((s, p) => s + p.received, 0);
  const short = expected - received;
  const detail = `${received} of ${expected} rows announced by Snipe-IT received (${h.passes.map((p) => `${p.status}: ${p.received}/${p.total} in ${p.requests} requests`).join('; ')})`;
  if (short <= 0) return { name: 'complete', severity: 'fail', passed: true, detail };
  return { name: 'complete', severity: short <= Math.ceil(expected * 0.01) ? 'warn' : 'fail', passed: false, detail };
}

function hostOf(url: string): string {
  try {
    const u = new URL(url);
    return u.port ? `${u.hostname}:${u.port}` : u.hostname;
  } catch {
    return '(invalid PANO_SNIPEIT_URL)';
  }
}
