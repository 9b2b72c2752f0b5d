import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import knexFactory, { type Knex } from 'knex';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SourceUnavailableError } from '../../../../common/errors.js';
import { knexConfigFromUrl } from '../../../../common/db/knex-url.js';
import { createGlpiDemoSchema } from '../../../../etl/demo/glpi-schema.js';
import { createGlpiAssetDemoTables, generateGlpiAssetsDemo, type InventoryDemoSummary } from '../../../../etl/demo/inventory-demo.js';
import { glpiAssetsSource } from '../../../../etl/sources/inventory/pipeline.js';
import { NotGlpiDatabaseError } from '../../../../etl/sources/helpdesk/extract.js';
import {
  connectGlpiAssets,
  detectAssetLayout,
  extractGlpiAssets,
  GLPI_ASSET_TABLES,
  validateGlpiAsset,
  type RawGlpiAsset,
} from '../../../../etl/sources/inventory/index.js';
import { createTempDatabase, createTempGlpiDatabase, SKIP_MARIADB, type TempDatabase } from '../../../helpers/mariadb.js';
import { GLPI_11_DELTAS } from '../helpdesk/glpi-ddl.js';
import { createEtlHarness } from './helpers.js';

/**
 * The GLPI assets connector against GLPI's REAL install schema on MariaDB: 10.0.19 as installed
 * (groups_id / groups_id_tech on the asset tables), then the GLPI 11 layout (glpi_computers as in
 * 11.0.7, the group columns gone from every asset table, glpi_groups_items as GLPI 11's migration
 * creates it). The same generator fills it as the SQLite demo; both must read the same.
 */
const NOW = new Date('2026-11-25T09:00:00Z');
const TZ = 'Europe/Istanbul';
const OPTS = { now: NOW, scale: 0.06, seed: 11 };
const unitMap = new Map<string, string>();

/** GLPI 11's glpi_groups_items, as its 10.0→11.0 migration creates it (keys unsigned, utf8mb4). */
const GLPI_11_GROUPS_ITEMS = `CREATE TABLE \`glpi_groups_items\` (
  \`id\` int unsigned NOT NULL AUTO_INCREMENT,
  \`groups_id\` int unsigned NOT NULL DEFAULT '0',
  \`itemtype\` varchar(255) NOT NULL DEFAULT '',
  \`items_id\` int unsigned NOT NULL DEFAULT '0',
  \`type\` tinyint NOT NULL,
  PRIMARY KEY (\`id\`),
  UNIQUE KEY \`unicity\` (\`groups_id\`,\`itemtype\`,\`items_id\`, \`type\`),
  KEY \`item\` (\`itemtype\`, \`items_id\`),
  KEY \`type\` (\`type\`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci ROW_FORMAT=DYNAMIC`;

/** Tables the generator writes (emptied between the two layouts). */
const WRITTEN = [
  ...GLPI_ASSET_TABLES.flatMap((t) => [t.table, t.typeTable, t.modelTable]),
  'glpi_infocoms',
  'glpi_states',
  'glpi_manufacturers',
  'glpi_suppliers',
  'glpi_groups',
  'glpi_locations',
];

async function extractValidated(url: string): Promise<{ raw: RawGlpiAsset[]; rows: unknown[]; layout: Awaited<ReturnType<typeof detectAssetLayout>> }> {
  const db = await connectGlpiAssets(url);
  try {
    const layout = await detectAssetLayout(db);
    const raw: RawGlpiAsset[] = [];
    for await (const page of extractGlpiAssets(db, { layout, pageSize: 120 })) raw.push(...page);
    return { raw, layout, rows: raw.map((r) => validateGlpiAsset(r as any, { timezone: TZ, unitMap })) };
  } finally {
    await db.destroy();
  }
}

async function fill(url: string): Promise<InventoryDemoSummary> {
  const writer = knexFactory(knexConfigFromUrl(url));
  try {
    return await generateGlpiAssetsDemo(writer, OPTS);
  } finally {
    await writer.destroy();
  }
}

describe.skipIf(SKIP_MARIADB)('GLPI assets on MariaDB with the real GLPI schema', () => {
  let glpi: TempDatabase;
  let empty: TempDatabase;
  let reference: { summary: InventoryDemoSummary; rows: unknown[] };
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pano-assets-int-'));

  beforeAll(async () => {
    [glpi, empty] = await Promise.all([createTempGlpiDatabase(), createTempDatabase()]);
    // The SQLite path with the same seed, on an empty GLPI (helpdesk tables without rows, as a fresh install).
    const file = path.join(tmp, 'ref.sqlite');
    const db: Knex = knexFactory({ client: 'better-sqlite3', connection: { filename: file }, useNullAsDefault: true });
    try {
      await createGlpiDemoSchema(db);
      await createGlpiAssetDemoTables(db);
      const summary = await generateGlpiAssetsDemo(db, OPTS);
      reference = { summary, rows: (await extractValidated(`sqlite:${file}`)).rows };
    } finally {
      await db.destroy();
    }
  }, 180_000);

  afterAll(async () => {
    await Promise.all([glpi?.drop(), empty?.drop()]);
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it.each([['10.0.19'], ['11.0.7']])(
    'GLPI %s: the generator fills it and the connector reads the same assets as from SQLite',
    async (version) => {
      const c = await mysql.createConnection({ uri: glpi.url, multipleStatements: true });
      try {
        for (const t of WRITTEN) await c.query(`TRUNCATE TABLE \`${t}\``);
        if (version === '11.0.7') {
          const deltas = fs.readFileSync(GLPI_11_DELTAS, 'utf8');
          const computers = /CREATE TABLE `glpi_computers` \([\s\S]*?\) ENGINE=[^;]*;/.exec(deltas)![0];
          await c.query('DROP TABLE glpi_computers');
          await c.query(computers);
          for (const t of GLPI_ASSET_TABLES.filter((x) => x.table !== 'glpi_computers')) {
            await c.query(`ALTER TABLE \`${t.table}\` DROP COLUMN \`groups_id\`, DROP COLUMN \`groups_id_tech\``);
          }
          await c.query(GLPI_11_GROUPS_ITEMS);
          const [cols] = await c.query("SHOW COLUMNS FROM glpi_computers LIKE 'groups_id%'");
          expect(cols).toEqual([]);
        }
      } finally {
        await c.end();
      }
      const summary = await fill(glpi.url);
      expect(summary).toEqual({ ...reference.summary, groupLayout: version === '11.0.7' ? 'groups_items' : 'columns' });

      const got = await extractValidated(glpi.url);
      const layout = version === '11.0.7' ? 'groups_items' : 'columns';
      expect(Object.values(got.layout.groups)).toEqual([layout, layout, layout, layout, layout]);
      expect(got.raw).toHaveLength(summary.assets);
      expect(typeof got.raw[0].date_mod).toBe('string'); // wall-clock text, read in PANO_GLPI_TIMEZONE
      expect(got.rows).toEqual(reference.rows);
      const refused = got.rows.filter((v: any) => !v.ok);
      expect(refused).toHaveLength(summary.expected.quarantined);

      // And through the runner, into a snapshot.
      const etl = await createEtlHarness('pano-assets-int-etl-');
      try {
        const r = await etl.run([glpiAssetsSource({ url: glpi.url, timezone: TZ, businessTimezone: TZ })], NOW);
        expect(r.sources[0]).toMatchObject({
          status: 'ok',
          rowsRead: summary.assets,
          rowsLoaded: summary.expected.loaded,
          rowsRejected: summary.expected.quarantined,
        });
        const q = await etl.quarantine('glpi_assets');
        expect(
          q.every((x) => x.location === `GLPI 127.0.0.1:3306/${glpi.name} glpi_computers, glpi_monitors, glpi_printers, glpi_networkequipments, glpi_phones`),
        ).toBe(true);
        const units = await etl.query('SELECT count(DISTINCT unit_code)::INT AS n FROM raw_inventory.glpi_assets');
        expect(units[0].n).toBeGreaterThan(20);
      } finally {
        await etl.close();
      }
    },
    120_000,
  );

  it('refuses to fill a GLPI that already has assets', async () => {
    const w = knexFactory(knexConfigFromUrl(glpi.url));
    try {
      await expect(generateGlpiAssetsDemo(w, OPTS)).rejects.toThrow(/already has \d+ rows; the demo generator only fills a GLPI without assets/);
    } finally {
      await w.destroy();
    }
  });

  it('a database that is not GLPI, an unknown database, a server that is down: clear errors, no password', async () => {
    const notGlpi = await connectGlpiAssets(empty.url).catch((e) => e);
    expect(notGlpi).toBeInstanceOf(NotGlpiDatabaseError);
    expect(notGlpi.message).toBe(`GLPI database at 127.0.0.1:3306/${empty.name} does not look like a GLPI database: table glpi_tickets not found`);
    const unknown = await connectGlpiAssets(`${empty.url}_yok`).catch((e) => e);
    expect(unknown).toBeInstanceOf(SourceUnavailableError);
    expect(unknown.message).toMatch(/is unreachable: Unknown database/);
    const down = await connectGlpiAssets('mysql://pano:cok-gizli-sifre@127.0.0.1:1/glpi').catch((e) => e);
    expect(down).toBeInstanceOf(SourceUnavailableError);
    expect(down.retryable).toBe(true);
    expect(down.message).toMatch(/^GLPI database at 127\.0\.0\.1:1\/glpi is unreachable: .*ECONNREFUSED/);
    expect(JSON.stringify({ m: down.message, s: String(down.stack) })).not.toContain('cok-gizli-sifre');
  }, 30_000);
});
