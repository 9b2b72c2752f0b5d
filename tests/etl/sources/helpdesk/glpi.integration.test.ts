import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import knexFactory, { type Knex } from 'knex';
import mysql from 'mysql2/promise';
import { SourceUnavailableError } from '../../../../common/errors.js';
import { knexConfigFromUrl } from '../../../../common/db/knex-url.js';
import { createGlpiDemoSource, generateGlpiDemo, type GlpiDemoSummary } from '../../../../etl/demo/glpi-demo.js';
import { connectGlpi, extractGlpiTickets, NotGlpiDatabaseError, type RawGlpiTicket } from '../../../../etl/sources/helpdesk/extract.js';
import { validateGlpiTicket } from '../../../../etl/sources/helpdesk/rows.js';
import { GLPI_DEMO_TABLES } from '../../../../etl/demo/glpi-schema.js';
import { loadUnitMap, resolveUnit } from '../../../../etl/unit-map.js';
import { createTempDatabase, createTempGlpiDatabase, SKIP_MARIADB, type TempDatabase } from '../../../helpers/mariadb.js';
import { GLPI_11_DELTAS } from './glpi-ddl.js';

/**
 * The connector against GLPI's REAL install schema (10.0.19, and 11.0.7's glpi_tickets and
 * glpi_ticketsatisfactions) on MariaDB, compared with the SQLite demo path for the same seed.
 */
const NOW = new Date('2026-11-28T09:00:00Z');
const TZ = 'Europe/Istanbul';
const OPTS = { now: NOW, scale: 0.05, seed: 7 };

async function extractAll(db: Knex): Promise<RawGlpiTicket[]> {
  const rows: RawGlpiTicket[] = [];
  for await (const page of extractGlpiTickets(db, { timezone: TZ, pageSize: 250 })) rows.push(...page);
  return rows;
}

async function fill(url: string): Promise<GlpiDemoSummary> {
  const writer = knexFactory(knexConfigFromUrl(url));
  try {
    return await generateGlpiDemo(writer, OPTS);
  } finally {
    await writer.destroy();
  }
}

describe.skipIf(SKIP_MARIADB)('GLPI connector on MariaDB with the real GLPI schema', () => {
  let glpi: TempDatabase;
  let empty: TempDatabase;
  let sqliteRows: RawGlpiTicket[];
  let sqliteSummary: GlpiDemoSummary;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pano-glpi-int-'));

  beforeAll(async () => {
    [glpi, empty] = await Promise.all([createTempGlpiDatabase(), createTempDatabase()]);
    const file = path.join(tmp, 'glpi.sqlite');
    sqliteSummary = await createGlpiDemoSource(file, OPTS);
    const db = await connectGlpi(`sqlite:${file}`);
    try {
      sqliteRows = await extractAll(db);
    } finally {
      await db.destroy();
    }
  }, 120_000);

  afterAll(async () => {
    await Promise.all([glpi?.drop(), empty?.drop()]);
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it.each([['10.0.19'], ['11.0.7']])(
    'GLPI %s: same tickets as the SQLite demo, faults rejected with reasons',
    async (version) => {
      // One real 10.0.19 install (loading ~400 tables is the slow part); for 11.0.7 it is emptied
      // and the tables that changed get their 11.0.7 definitions.
      const c = await mysql.createConnection({ uri: glpi.url, multipleStatements: true });
      try {
        for (const t of GLPI_DEMO_TABLES) await c.query(`TRUNCATE TABLE \`${t}\``);
        if (version === '11.0.7') {
          await c.query('DROP TABLE glpi_tickets, glpi_ticketsatisfactions, glpi_computers');
          await c.query(fs.readFileSync(GLPI_11_DELTAS, 'utf8'));
          const [cols] = await c.query("SHOW COLUMNS FROM glpi_tickets LIKE 'externalid'");
          expect(cols).toHaveLength(1);
        }
      } finally {
        await c.end();
      }
      const summary = await fill(glpi.url);
      expect(summary).toEqual(sqliteSummary);

      const db = await connectGlpi(glpi.url);
      let rows: RawGlpiTicket[];
      try {
        rows = await extractAll(db);
      } finally {
        await db.destroy();
      }
      expect(rows.length).toBe(summary.tickets - summary.deleted);
      expect(rows).toEqual(sqliteRows);

      const results = rows.map((r) => ({ r, v: validateGlpiTicket(r, TZ) }));
      const rejected = results.filter((x) => !x.v.ok);
      expect(rejected).toHaveLength(summary.faults.solvedBeforeOpened);
      for (const { r, v } of rejected) expect(v).toEqual({ ok: false, reason: `solvedate ${r.solvedate} is before date ${r.date}` });

      const map = loadUnitMap();
      const unresolved = results.flatMap((x) => (x.v.ok ? [resolveUnit(x.v.row, map)] : [])).filter((u) => u.unitCode === null);
      expect(unresolved).toHaveLength(summary.faults.noGroup + summary.faults.unknownGroup);
      expect(unresolved.map((u) => (u.unitCode === null ? u.reason : '')).filter((r) => r.includes('"Eski Muhasebe Birimi"'))).toHaveLength(
        summary.faults.unknownGroup,
      );

      // Datetimes arrive as wall-clock text and convert to the same instants on both paths.
      const first = results.find((x) => x.v.ok)!;
      expect(typeof first.r.date).toBe('string');
    },
    60_000,
  );

  it('names the host when the server is unreachable, never the password', async () => {
    const err = await connectGlpi('mysql://pano:cok-gizli-sifre@127.0.0.1:1/glpi').catch((e) => e);
    expect(err).toBeInstanceOf(SourceUnavailableError);
    expect(err.retryable).toBe(true);
    expect(err.message).toMatch(/^GLPI database at 127\.0\.0\.1:1\/glpi is unreachable: .*ECONNREFUSED/);
    expect(err.message).not.toContain('cok-gizli-sifre');
    expect(JSON.stringify(err)).not.toContain('cok-gizli-sifre');
  }, 30_000);

  it('says when a reachable database is not GLPI', async () => {
    const err = await connectGlpi(empty.url).catch((e) => e);
    expect(err).toBeInstanceOf(NotGlpiDatabaseError);
    expect(err.message).toBe(`GLPI database at 127.0.0.1:3306/${empty.name} does not look like a GLPI database: table glpi_tickets not found`);
  });

  it('names an unknown database as unreachable', async () => {
    const err = await connectGlpi(`${empty.url}_missing`).catch((e) => e);
    expect(err).toBeInstanceOf(SourceUnavailableError);
    expect(err.message).toMatch(/is unreachable: Unknown database/);
  });
});
