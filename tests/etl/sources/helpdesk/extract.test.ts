import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import knexFactory, { type Knex } from 'knex';
import { ConfigError, SourceUnavailableError } from '../../../../common/errors.js';
import { createGlpiDemoSource, type GlpiDemoSummary } from '../../../../etl/demo/glpi-demo.js';
import {
  connectGlpi,
  extractGlpiTickets,
  GLPI_TABLES_READ,
  GLPI_TICKET_COLUMNS,
  NotGlpiDatabaseError,
  readGlpiVersion,
  type RawGlpiTicket,
} from '../../../../etl/sources/helpdesk/extract.js';
import { validateGlpiTicket, type GlpiTicket } from '../../../../etl/sources/helpdesk/rows.js';
import { loadUnitMap, resolveUnit } from '../../../../etl/unit-map.js';
import { GLPI_10_EMPTY, GLPI_11_DELTAS, readGlpiColumns } from './glpi-ddl.js';

const NOW = new Date('2026-11-28T09:00:00Z');
const TZ = 'Europe/Istanbul';
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pano-glpi-extract-'));
const file = path.join(tmp, 'glpi.sqlite');

async function collect(db: Knex, opts: Parameters<typeof extractGlpiTickets>[1]) {
  const pages: RawGlpiTicket[][] = [];
  for await (const page of extractGlpiTickets(db, opts)) pages.push(page);
  return pages;
}

describe('GLPI extract on the SQLite demo source', () => {
  let summary: GlpiDemoSummary;
  let db: Knex;
  let raw: RawGlpiTicket[];

  beforeAll(async () => {
    summary = await createGlpiDemoSource(file, { now: NOW, scale: 0.2 });
    db = await connectGlpi(`sqlite:${file}`);
    raw = (await collect(db, { timezone: TZ })).flat();
  }, 60_000);
  afterAll(async () => {
    await db?.destroy();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('returns one row per non-deleted ticket, deleted ones excluded', async () => {
    expect(raw).toHaveLength(summary.tickets - summary.deleted);
    const deleted = (await db('glpi_tickets').where('is_deleted', 1).pluck('id')) as number[];
    expect(deleted).toHaveLength(summary.deleted);
    const ids = new Set(raw.map((r) => r.id));
    expect(deleted.filter((id) => ids.has(id))).toEqual([]);
    expect(raw.map((r) => r.id)).toEqual([...ids].sort((a, b) => a - b));
  });

  it('validates every row except the seeded clock-skew faults, which give their reason', () => {
    const rejects = raw.map((r) => ({ r, v: validateGlpiTicket(r, TZ) })).filter((x) => !x.v.ok);
    expect(rejects).toHaveLength(summary.faults.solvedBeforeOpened);
    for (const { r, v } of rejects) {
      expect(v).toEqual({ ok: false, reason: `solvedate ${r.solvedate} is before date ${r.date}` });
    }
  });

  it('leaves exactly the seeded group faults without a unit, with reasons', () => {
    const map = loadUnitMap();
    const unresolved = raw
      .map((r) => validateGlpiTicket(r, TZ))
      .filter((v): v is { ok: true; row: GlpiTicket } => v.ok)
      .map((v) => resolveUnit(v.row, map))
      .filter((u) => u.unitCode === null) as Array<{ unitCode: null; reason: string }>;
    const reasons = unresolved.map((u) => u.reason);
    expect(reasons.filter((r) => r.startsWith('ticket has no requester group'))).toHaveLength(summary.faults.noGroup);
    expect(reasons.filter((r) => r.startsWith('requester group "Eski Muhasebe Birimi" is not a known unit'))).toHaveLength(summary.faults.unknownGroup);
    expect(unresolved).toHaveLength(summary.faults.noGroup + summary.faults.unknownGroup);
  });

  it('joins names, SLA, satisfaction and counts', () => {
    const r = raw.find((x) => x.status === 6 && x.satisfaction !== null)!;
    expect(r).toBeDefined();
    expect(r.category).toMatch(/^(Donanım|Yazılım|Ağ|Telefon) > |^(E-imza|Hesap\/Şifre|Kamera)$/);
    expect(r.entity).toBe('Sultanbeyli Belediyesi');
    expect(r.assigned_group).toMatch(/Şefliği$/);
    expect(r.sla_ttr_name).toMatch(/^Çözüm – /);
    expect(r.solution_count).toBe(1);
    expect(typeof r.followup_count).toBe('number');
    expect(raw.filter((x) => x.status === 1).every((x) => x.assigned_group === null)).toBe(true);
    expect(raw.reduce((s, x) => s + x.followup_count, 0)).toBeGreaterThan(0);
  });

  it('takes the earliest requester group link when there are several', async () => {
    const rw = await connectGlpi(`sqlite:${file}`, { readonly: false });
    // Add a second requester group with a LOWER group id than the ticket's own one, so that
    // picking by group id (or by the unicity index) would give a different answer.
    const hukuk = (await rw('glpi_groups').where('name', 'Hukuk İşleri Müdürlüğü').first('id')) as { id: number };
    const later = new Set((await rw('glpi_groups').where('id', '>', hukuk.id).pluck('name')) as string[]);
    const target = raw.find((r) => r.requester_group !== null && later.has(r.requester_group))!;
    expect(target).toBeDefined();
    try {
      await rw('glpi_groups_tickets').insert({ tickets_id: target.id, groups_id: hukuk.id, type: 1 });
      const [again] = (await collect(rw, { timezone: TZ })).flat().filter((r) => r.id === target.id);
      expect(again.requester_group).toBe(target.requester_group);
    } finally {
      await rw('glpi_groups_tickets')
        .where({ tickets_id: target.id, type: 1 })
        .orderBy('id', 'desc')
        .limit(1)
        .delete()
        .catch(() => undefined);
      await rw.destroy();
    }
  });

  it('pages by id without losing or repeating rows', async () => {
    const pages = await collect(db, { timezone: TZ, pageSize: 97 });
    expect(pages.length).toBe(Math.ceil(raw.length / 97));
    expect(pages.every((p) => p.length <= 97)).toBe(true);
    expect(pages.flat().map((r) => r.id)).toEqual(raw.map((r) => r.id));
  });

  it('filters on date_mod for incremental loads', async () => {
    const since = new Date('2026-10-01T00:00:00Z'); // 03:00 in Istanbul
    const rows = (await collect(db, { timezone: TZ, since })).flat();
    const expected = raw.filter((r) => String(r.date_mod) >= '2026-10-01 03:00:00');
    expect(rows.map((r) => r.id)).toEqual(expected.map((r) => r.id));
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.length).toBeLessThan(raw.length / 4);
  });

  it('opens SQLite read-only by default', async () => {
    await expect(db('glpi_tickets').where('id', 1).delete()).rejects.toThrow(/readonly/i);
  });

  it('has no version table in the demo', async () => {
    expect(await readGlpiVersion(db)).toBeNull();
  });
});

describe('connectGlpi errors', () => {
  it('names a missing SQLite file as an unreachable source', async () => {
    const missing = path.join(os.tmpdir(), 'pano-no-such-dir', 'glpi.sqlite');
    const err = await connectGlpi(`sqlite:${missing}`).catch((e) => e);
    expect(err).toBeInstanceOf(SourceUnavailableError);
    expect(err.retryable).toBe(true);
    expect(err.message).toBe(`GLPI database at ${missing} is unreachable: file not found (${missing})`);
    expect(fs.existsSync(path.dirname(missing))).toBe(false);
  });

  it('says when a database is not GLPI', async () => {
    const f = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'pano-notglpi-')), 'other.sqlite');
    const k = knexFactory({ client: 'better-sqlite3', connection: { filename: f }, useNullAsDefault: true });
    await k.schema.createTable('invoices', (t) => t.increments('id'));
    await k.destroy();
    const err = await connectGlpi(`sqlite:${f}`).catch((e) => e);
    expect(err).toBeInstanceOf(NotGlpiDatabaseError);
    expect(err).toBeInstanceOf(SourceUnavailableError);
    expect(err.retryable).toBe(false);
    expect(err.code).toBe('source_not_glpi');
    expect(err.message).toBe(`GLPI database at ${f} does not look like a GLPI database: table glpi_tickets not found`);
    fs.rmSync(path.dirname(f), { recursive: true, force: true });
  });

  it('refuses PostgreSQL (GLPI runs on MariaDB/MySQL)', async () => {
    await expect(connectGlpi('postgres://u:p@localhost/glpi')).rejects.toBeInstanceOf(ConfigError);
  });
});

describe('what the connector reads exists in GLPI 10.0.19 and 11.0.7', () => {
  const v10 = readGlpiColumns(GLPI_10_EMPTY);
  const v11 = readGlpiColumns(GLPI_11_DELTAS);

  it.each(GLPI_TICKET_COLUMNS.map((c) => [c]))('glpi_tickets.%s', (column) => {
    expect(v10.get('glpi_tickets')).toContain(column);
    expect(v11.get('glpi_tickets')).toContain(column);
  });

  it.each(GLPI_TABLES_READ.map((t) => [t]))('%s exists in 10.0.19', (table) => {
    expect(v10.has(table)).toBe(true);
  });

  it('glpi_ticketsatisfactions keeps tickets_id, satisfaction and date_answered in 11.0.7', () => {
    expect(v11.get('glpi_ticketsatisfactions')).toEqual(expect.arrayContaining(['tickets_id', 'satisfaction', 'date_answered']));
  });
});
