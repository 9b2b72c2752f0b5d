import type { Knex } from 'knex';
import { errorMessage, SourceUnavailableError } from '../../../common/errors.js';
import { describeUrl } from '../../../common/db/knex-url.js';
import { connectGlpi, NotGlpiDatabaseError, type ConnectGlpiOptions } from '../helpdesk/extract.js';
import type { GlpiItemtype } from './asset-rules.js';

/**
 * The GLPI assets connector's I/O: computers, monitors, printers, network equipment and phones with
 * their financial data (glpi_infocoms), state, location, manufacturer, type, model and group, one
 * query per page of one asset table (keyset on id). The same SQL runs on MariaDB/MySQL (GLPI 10.0
 * and 11.0) and on the SQLite demo source.
 *
 * GLPI 10 keeps an asset's group in `groups_id` / `groups_id_tech` on the asset table; GLPI 11
 * moved them to `glpi_groups_items` (type 1 normal, 2 technician). The layout is detected per
 * table from the columns present, so a half-migrated database also reads correctly.
 */

export interface GlpiAssetTable {
  itemtype: GlpiItemtype;
  table: string;
  typeTable: string;
  typeFk: string;
  modelTable: string;
  modelFk: string;
}

/** The five asset tables Pano reads, with their type and model dropdown tables (GLPI 10.0/11.0 names). */
export const GLPI_ASSET_TABLES: readonly GlpiAssetTable[] = [
  {
    itemtype: 'Computer',
    table: 'glpi_computers',
    typeTable: 'glpi_computertypes',
    typeFk: 'computertypes_id',
    modelTable: 'glpi_computermodels',
    modelFk: 'computermodels_id',
  },
  {
    itemtype: 'Monitor',
    table: 'glpi_monitors',
    typeTable: 'glpi_monitortypes',
    typeFk: 'monitortypes_id',
    modelTable: 'glpi_monitormodels',
    modelFk: 'monitormodels_id',
  },
  {
    itemtype: 'Printer',
    table: 'glpi_printers',
    typeTable: 'glpi_printertypes',
    typeFk: 'printertypes_id',
    modelTable: 'glpi_printermodels',
    modelFk: 'printermodels_id',
  },
  {
    itemtype: 'NetworkEquipment',
    table: 'glpi_networkequipments',
    typeTable: 'glpi_networkequipmenttypes',
    typeFk: 'networkequipmenttypes_id',
    modelTable: 'glpi_networkequipmentmodels',
    modelFk: 'networkequipmentmodels_id',
  },
  { itemtype: 'Phone', table: 'glpi_phones', typeTable: 'glpi_phonetypes', typeFk: 'phonetypes_id', modelTable: 'glpi_phonemodels', modelFk: 'phonemodels_id' },
];

/** Shared tables the asset query joins. */
export const GLPI_ASSET_SHARED_TABLES = [
  'glpi_infocoms',
  'glpi_states',
  'glpi_locations',
  'glpi_manufacturers',
  'glpi_groups',
  'glpi_entities',
  'glpi_suppliers',
] as const;

/** Columns read from every asset table (all exist in GLPI 10.0.19 and 11.0.7; groups are separate). */
export const GLPI_ASSET_COLUMNS = [
  'id',
  'entities_id',
  'name',
  'serial',
  'otherserial',
  'locations_id',
  'manufacturers_id',
  'states_id',
  'is_deleted',
  'is_template',
  'is_dynamic',
  'date_mod',
  'date_creation',
] as const;

/** glpi_infocoms columns read. */
export const GLPI_INFOCOM_COLUMNS = [
  'buy_date',
  'use_date',
  'warranty_date',
  'warranty_duration',
  'value',
  'immo_number',
  'order_number',
  'decommission_date',
  'suppliers_id',
] as const;

/** Where an asset table keeps its groups. */
export type GroupLayout = 'columns' | 'groups_items';

export interface GlpiAssetLayout {
  /** Per asset table. */
  groups: Record<GlpiItemtype, GroupLayout>;
  /** True when glpi_groups_items exists (GLPI 11). */
  hasGroupsItems: boolean;
}

type DateValue = string | Date | null;

/** One asset as the query returns it: GLPI's column names, joined names, dates as the session shows them. */
export interface RawGlpiAsset {
  itemtype: GlpiItemtype;
  id: number;
  entities_id: number;
  name: string | null;
  serial: string | null;
  otherserial: string | null;
  locations_id: number;
  manufacturers_id: number;
  states_id: number;
  is_dynamic: number;
  date_mod: DateValue;
  date_creation: DateValue;
  /** The asset's (normal) group id: `groups_id` on GLPI 10, the earliest glpi_groups_items link of type 1 on GLPI 11; 0 = none. */
  groups_id: number;
  /** How many normal groups the asset has (GLPI 11 allows several). */
  group_count: number;
  group_name: string | null;
  group_path: string | null;
  tech_group: string | null;
  type_name: string | null;
  model_name: string | null;
  manufacturer: string | null;
  state_name: string | null;
  location: string | null;
  entity: string | null;
  /** glpi_infocoms.id, null when the asset has no financial information. */
  infocom_id: number | null;
  buy_date: DateValue;
  use_date: DateValue;
  warranty_date: DateValue;
  warranty_duration: number | null;
  value: string | number | null;
  immo_number: string | null;
  order_number: string | null;
  decommission_date: DateValue;
  supplier: string | null;
}

/**
 * Opens GLPI for the asset connector: `connectGlpi` (reachable, really GLPI; errors name the host,
 * never the password), then checks the asset tables are there.
 */
export async function connectGlpiAssets(url: string, opts: ConnectGlpiOptions = {}): Promise<Knex> {
  const knex = await connectGlpi(url, opts);
  try {
    const needed = [...GLPI_ASSET_TABLES.flatMap((t) => [t.table, t.typeTable, t.modelTable]), ...GLPI_ASSET_SHARED_TABLES];
    const missing: string[] = [];
    for (const t of needed) if (!(await knex.schema.hasTable(t))) missing.push(t);
    if (missing.length) {
      throw new NotGlpiDatabaseError(
        `GLPI database at ${describeUrl(url)} has no asset inventory: table${missing.length > 1 ? 's' : ''} ${missing.join(', ')} not found`,
      );
    }
    return knex;
  } catch (e) {
    await knex.destroy().catch(() => undefined);
    if (e instanceof SourceUnavailableError) throw e;
    throw new SourceUnavailableError(`GLPI database at ${describeUrl(url)} cannot be read: ${errorMessage(e)}`, e);
  }
}

/** Detects, per asset table, whether groups are columns (GLPI 10) or glpi_groups_items links (GLPI 11). */
export async function detectAssetLayout(knex: Knex): Promise<GlpiAssetLayout> {
  const hasGroupsItems = await knex.schema.hasTable('glpi_groups_items');
  const groups = {} as Record<GlpiItemtype, GroupLayout>;
  for (const t of GLPI_ASSET_TABLES) {
    const hasColumn = await knex.schema.hasColumn(t.table, 'groups_id');
    if (hasColumn) groups[t.itemtype] = 'columns';
    else if (hasGroupsItems) groups[t.itemtype] = 'groups_items';
    else {
      throw new NotGlpiDatabaseError(`${t.table} has no groups_id column and glpi_groups_items does not exist: neither GLPI 10 nor GLPI 11`);
    }
  }
  return { groups, hasGroupsItems };
}

export interface ExtractGlpiAssetsOptions {
  /** Assets per page (keyset paging on id, per table). Default 5000. */
  pageSize?: number;
  /** Read only these itemtypes (default: all five). */
  itemtypes?: readonly GlpiItemtype[];
  /** A layout already detected (default: detect now). */
  layout?: GlpiAssetLayout;
}

/**
 * Every asset that is neither in GLPI's trash (`is_deleted`) nor a template (`is_template`), one
 * row per asset, in pages, table after table.
 */
export async function* extractGlpiAssets(knex: Knex, opts: ExtractGlpiAssetsOptions = {}): AsyncGenerator<RawGlpiAsset[]> {
  const pageSize = opts.pageSize ?? 5000;
  if (!Number.isInteger(pageSize) || pageSize < 1) throw new RangeError(`pageSize must be a positive integer, got ${pageSize}`);
  const layout = opts.layout ?? (await detectAssetLayout(knex));
  for (const t of GLPI_ASSET_TABLES) {
    if (opts.itemtypes && !opts.itemtypes.includes(t.itemtype)) continue;
    let lastId = 0;
    for (;;) {
      const rows = (await assetQuery(knex, t, layout.groups[t.itemtype]).where('a.id', '>', lastId).orderBy('a.id').limit(pageSize)) as RawGlpiAsset[];
      if (rows.length === 0) break;
      const page = rows.map((r) => normalize(r, t.itemtype));
      lastId = page[page.length - 1].id;
      yield page;
      if (rows.length < pageSize) break;
    }
  }
}

/** The query for one asset table (without paging): exported so tests and tools can inspect its SQL. */
export function assetQuery(knex: Knex, t: GlpiAssetTable, groups: GroupLayout): Knex.QueryBuilder {
  const q = knex(`${t.table} as a`)
    .leftJoin(`${t.typeTable} as ty`, 'ty.id', `a.${t.typeFk}`)
    .leftJoin(`${t.modelTable} as mo`, 'mo.id', `a.${t.modelFk}`)
    .leftJoin('glpi_manufacturers as ma', 'ma.id', 'a.manufacturers_id')
    .leftJoin('glpi_states as st', 'st.id', 'a.states_id')
    .leftJoin('glpi_locations as lo', 'lo.id', 'a.locations_id')
    .leftJoin('glpi_entities as en', 'en.id', 'a.entities_id')
    .leftJoin('glpi_infocoms as ic', function () {
      this.on('ic.items_id', '=', 'a.id').andOn('ic.itemtype', '=', knex.raw('?', [t.itemtype]));
    })
    .leftJoin('glpi_suppliers as su', 'su.id', 'ic.suppliers_id')
    .where('a.is_deleted', 0)
    .where('a.is_template', 0)
    .select(GLPI_ASSET_COLUMNS.filter((c) => c !== 'is_deleted' && c !== 'is_template').map((c) => `a.${c}`))
    .select({
      type_name: 'ty.name',
      model_name: 'mo.name',
      manufacturer: 'ma.name',
      state_name: 'st.completename',
      state_leaf: 'st.name',
      location: 'lo.completename',
      location_leaf: 'lo.name',
      entity: 'en.completename',
      infocom_id: 'ic.id',
      supplier: 'su.name',
    })
    .select(GLPI_INFOCOM_COLUMNS.filter((c) => c !== 'suppliers_id').map((c) => `ic.${c}`));

  if (groups === 'columns') {
    q.leftJoin('glpi_groups as g', 'g.id', 'a.groups_id')
      .leftJoin('glpi_groups as tg', 'tg.id', 'a.groups_id_tech')
      .select({ groups_id: 'a.groups_id', group_name: 'g.name', group_path: 'g.completename', tech_group: 'tg.completename' })
      .select(knex.raw('CASE WHEN a.groups_id > 0 THEN 1 ELSE 0 END AS group_count'));
  } else {
    // The earliest link of each kind (lowest glpi_groups_items.id) counts; the number of normal groups is kept.
    const firstLink = (type: 1 | 2, alias: string) =>
      knex('glpi_groups_items').where({ itemtype: t.itemtype, type }).groupBy('items_id').select('items_id').min({ link_id: 'id' }).count({ n: '*' }).as(alias);
    q.leftJoin(firstLink(1, 'fl'), 'fl.items_id', 'a.id')
      .leftJoin('glpi_groups_items as gi', 'gi.id', 'fl.link_id')
      .leftJoin('glpi_groups as g', 'g.id', 'gi.groups_id')
      .leftJoin(firstLink(2, 'ftl'), 'ftl.items_id', 'a.id')
      .leftJoin('glpi_groups_items as gti', 'gti.id', 'ftl.link_id')
      .leftJoin('glpi_groups as tg', 'tg.id', 'gti.groups_id')
      .select({ groups_id: 'gi.groups_id', group_name: 'g.name', group_path: 'g.completename', tech_group: 'tg.completename', group_count: 'fl.n' });
  }
  return q;
}

function normalize(r: RawGlpiAsset & { state_leaf?: string | null; location_leaf?: string | null }, itemtype: GlpiItemtype): RawGlpiAsset {
  const { state_leaf, location_leaf, ...rest } = r;
  return {
    ...rest,
    itemtype,
    id: Number(r.id),
    entities_id: Number(r.entities_id ?? 0),
    locations_id: Number(r.locations_id ?? 0),
    manufacturers_id: Number(r.manufacturers_id ?? 0),
    states_id: Number(r.states_id ?? 0),
    is_dynamic: Number(r.is_dynamic ?? 0),
    groups_id: Number(r.groups_id ?? 0),
    group_count: Number(r.group_count ?? 0),
    infocom_id: r.infocom_id == null ? null : Number(r.infocom_id),
    warranty_duration: r.warranty_duration == null ? null : Number(r.warranty_duration),
    // GLPI fills completename when a dropdown is saved; an imported row may only have the name.
    state_name: r.state_name ?? state_leaf ?? null,
    location: r.location ?? location_leaf ?? null,
    group_path: r.group_path ?? r.group_name ?? null,
  };
}
