import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import knexFactory, { type Knex } from 'knex';
import { UNITS } from '../../../common/units.js';
import { createGlpiDemoSource, generateGlpiDemo, LEGACY_GROUP_NAME, SLA_TARGETS, type GlpiDemoSummary } from '../../../etl/demo/glpi-demo.js';
import { GLPI_DEMO_TABLES } from '../../../etl/demo/glpi-schema.js';
import { addWorkingHours, workingHoursBetween } from '../../../etl/calendar/working-hours.js';
import { fromWallClock } from '../../../etl/calendar/wall-clock.js';

const NOW = new Date('2026-11-28T09:00:00Z'); // Saturday 12:00 in Istanbul
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pano-glpi-demo-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const open = (file: string) => knexFactory({ client: 'better-sqlite3', connection: { filename: file }, useNullAsDefault: true });

async function contentHash(file: string): Promise<string> {
  const db = open(file);
  try {
    const h = crypto.createHash('sha256');
    for (const t of GLPI_DEMO_TABLES) h.update(t).update(JSON.stringify(await db(t).select('*').orderBy('id')));
    return h.digest('hex');
  } finally {
    await db.destroy();
  }
}

describe('generateGlpiDemo: determinism', () => {
  it('same seed and now → identical content; another seed → different content', async () => {
    const a = path.join(tmp, 'a.sqlite');
    const b = path.join(tmp, 'b.sqlite');
    const c = path.join(tmp, 'c.sqlite');
    const sa = await createGlpiDemoSource(a, { now: NOW, scale: 0.2, seed: 42 });
    const sb = await createGlpiDemoSource(b, { now: NOW, scale: 0.2, seed: 42 });
    await createGlpiDemoSource(c, { now: NOW, scale: 0.2, seed: 43 });
    expect(sb).toEqual(sa);
    const [ha, hb, hc] = await Promise.all([contentHash(a), contentHash(b), contentHash(c)]);
    expect(hb).toBe(ha);
    expect(hc).not.toBe(ha);
    expect(fs.existsSync(`${a}.tmp`)).toBe(false);
  }, 60_000);

  it('replaces an existing file atomically and leaves no temp file on failure', async () => {
    const f = path.join(tmp, 'replace.sqlite');
    fs.writeFileSync(f, 'old');
    await createGlpiDemoSource(f, { now: NOW, scale: 0.01 });
    expect(fs.readFileSync(f).subarray(0, 15).toString()).toBe('SQLite format 3');
    await expect(createGlpiDemoSource(f, { now: new Date(Number.NaN) })).rejects.toThrow(/now/);
    expect(fs.existsSync(`${f}.tmp`)).toBe(false);
    expect(fs.readFileSync(f).subarray(0, 15).toString()).toBe('SQLite format 3');
  });

  it('refuses a database that already has tickets', async () => {
    const f = path.join(tmp, 'twice.sqlite');
    await createGlpiDemoSource(f, { now: NOW, scale: 0.01 });
    const db = open(f);
    try {
      await expect(generateGlpiDemo(db, { now: NOW, scale: 0.01 })).rejects.toThrow(/already has \d+ tickets/);
    } finally {
      await db.destroy();
    }
  });
});

describe('generateGlpiDemo: shape of the data (scale 0.5, two years)', () => {
  let db: Knex;
  let summary: GlpiDemoSummary;
  type Row = Record<string, any>;
  let tickets: Row[];

  beforeAll(async () => {
    const f = path.join(tmp, 'shape.sqlite');
    summary = await createGlpiDemoSource(f, { now: NOW, scale: 0.5 });
    db = open(f);
    tickets = await db('glpi_tickets').select('*').orderBy('id');
  }, 60_000);
  afterAll(() => db?.destroy());

  const local = (s: string) => new Date(fromWallClock(s)!.getTime() + 3 * 3_600_000); // UTC fields = Istanbul fields

  it('writes about 6 000 tickets a year per scale unit over the window ending at now', () => {
    expect(summary.tickets).toBe(6000);
    expect(tickets).toHaveLength(6000);
    expect(summary.lastOpened! <= '2026-11-28 12:00:00').toBe(true);
    expect(summary.firstOpened! >= '2024-11-27 12:00:00').toBe(true); // now − 731 days
  });

  it('has a realistic status mix: old tickets closed or solved, some open ones recently', () => {
    const live = tickets.filter((t) => !t.is_deleted);
    const old = live.filter((t) => t.date < '2026-08-01');
    const oldDone = old.filter((t) => t.status >= 5).length / old.length;
    expect(oldDone).toBeGreaterThan(0.99);
    expect(live.filter((t) => t.status === 6).length / live.length).toBeGreaterThan(0.9);
    const open = live.filter((t) => t.status <= 4);
    expect(open.length).toBeGreaterThan(5);
    expect(new Set(open.map((t) => t.status)).size).toBeGreaterThanOrEqual(2);
    expect(summary.byStatus[5]).toBeGreaterThan(0);
    expect(Object.values(summary.byStatus).reduce((a, b) => a + b, 0)).toBe(6000 - summary.deleted);
  });

  it('follows the working week and day: weekdays ≫ weekends, nothing at night', () => {
    let weekday = 0;
    let weekend = 0;
    const hours = new Array(24).fill(0);
    for (const t of tickets) {
      const d = local(t.date);
      if (d.getUTCDay() === 0 || d.getUTCDay() === 6) weekend++;
      else weekday++;
      hours[d.getUTCHours()]++;
    }
    expect(weekday / 5).toBeGreaterThan((weekend / 2) * 10);
    expect(
      hours
        .slice(0, 7)
        .concat(hours.slice(21))
        .reduce((a, b) => a + b, 0),
    ).toBe(0);
    const peak = hours[9] + hours[10] + hours[11] + hours[13] + hours[14] + hours[15];
    expect(peak / tickets.length).toBeGreaterThan(0.65);
    expect(hours[10]).toBeGreaterThan(hours[12]); // lunch dip
  });

  it('spreads volume by unit staff', async () => {
    const rows = (await db('glpi_groups_tickets as gt')
      .join('glpi_groups as g', 'g.id', 'gt.groups_id')
      .where('gt.type', 1)
      .groupBy('g.name')
      .select('g.name')
      .count({ n: '*' })) as Array<{ name: string; n: number }>;
    const n = new Map(rows.map((r) => [r.name, Number(r.n)]));
    const temizlik = n.get('Temizlik İşleri Müdürlüğü')!;
    const teftis = n.get('Teftiş Kurulu Müdürlüğü') ?? 0;
    expect(temizlik).toBeGreaterThan(teftis * 10);
    // Pearson correlation of tickets and staff across units.
    const xs = UNITS.map((u) => u.staff);
    const ys = UNITS.map((u) => n.get(u.name) ?? 0);
    const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;
    const mx = mean(xs),
      my = mean(ys);
    const cov = xs.reduce((s, x, i) => s + (x - mx) * (ys[i] - my), 0);
    const r = cov / Math.sqrt(xs.reduce((s, x) => s + (x - mx) ** 2, 0) * ys.reduce((s, y) => s + (y - my) ** 2, 0));
    expect(r).toBeGreaterThan(0.95);
  });

  it('keeps priority consistent with urgency and impact (GLPI default matrix; 6 = major)', () => {
    const matrix = [[], [0, 1, 1, 2, 2, 2], [0, 1, 2, 2, 3, 3], [0, 2, 2, 3, 4, 4], [0, 2, 3, 4, 4, 5], [0, 2, 3, 4, 5, 5]];
    for (const t of tickets) {
      if (t.priority === 6) expect([t.urgency, t.impact >= 4]).toEqual([5, true]);
      else expect(t.priority).toBe(matrix[t.urgency][t.impact]);
    }
    expect(new Set(tickets.map((t) => t.type))).toEqual(new Set([1, 2]));
  });

  it('computes SLA due dates and delay stats in working time, with 10–20 % late', async () => {
    const slas = new Map((await db('glpi_slas').select('id', 'number_time', 'definition_time', 'type')).map((s) => [s.id, s]));
    let solved = 0;
    let late = 0;
    for (const t of tickets.slice(0, 1500)) {
      const opened = fromWallClock(t.date)!;
      const ttr = slas.get(t.slas_id_ttr)!;
      const tto = slas.get(t.slas_id_tto)!;
      expect([ttr.type, tto.type]).toEqual([0, 1]);
      const hours = (s: { number_time: number; definition_time: string }) => (s.definition_time === 'minute' ? s.number_time / 60 : s.number_time);
      expect(hours(ttr)).toBe(SLA_TARGETS[t.priority].ttr);
      expect(t.time_to_own).toBe(wall(addWorkingHours(opened, hours(tto))));
      expect(t.time_to_resolve).toBe(wall(addWorkingHours(opened, hours(ttr) + t.sla_waiting_duration / 3600)));
      if (t.status >= 2) {
        expect(t.takeintoaccount_delay_stat).toBe(Math.round(workingHoursBetween(opened, fromWallClock(t.takeintoaccountdate)!) * 3600));
      }
      if (t.status >= 5 && t.solvedate >= t.date) {
        solved++;
        const work = workingHoursBetween(opened, fromWallClock(t.solvedate)!) * 3600 - t.waiting_duration;
        expect(Math.abs(t.solve_delay_stat - work)).toBeLessThanOrEqual(1);
        if (t.solvedate > t.time_to_resolve) late++;
      }
    }
    expect(late / solved).toBeGreaterThan(0.08);
    expect(late / solved).toBeLessThan(0.22);
  });

  it('links actors like GLPI: requester group/user (type 1), assigned group/technician (type 2)', async () => {
    const links = await db('glpi_groups_tickets').select('tickets_id', 'type');
    const users = await db('glpi_tickets_users').select('tickets_id', 'type');
    const has = (rows: Row[], id: number, type: number) => rows.some((r) => r.tickets_id === id && r.type === type);
    const byTicket = (rows: Row[]) => {
      const m = new Map<number, Row[]>();
      for (const r of rows) m.set(r.tickets_id, [...(m.get(r.tickets_id) ?? []), r]);
      return m;
    };
    const g = byTicket(links);
    const u = byTicket(users);
    for (const t of tickets.slice(0, 800)) {
      expect(has(u.get(t.id) ?? [], t.id, 1)).toBe(true);
      expect(has(g.get(t.id) ?? [], t.id, 2)).toBe(t.status > 1);
      expect(has(u.get(t.id) ?? [], t.id, 2)).toBe(t.status > 1);
    }
  });

  it('builds the reference data: root entity, unit and IT groups, category tree, SLAs, users', async () => {
    expect(await db('glpi_entities').where('id', 0).first()).toMatchObject({ name: 'Sultanbeyli Belediyesi' });
    const groups = (await db('glpi_groups').pluck('name')) as string[];
    for (const u of UNITS) expect(groups).toContain(u.name);
    expect(groups).toEqual(expect.arrayContaining(['Bilgi İşlem Şefliği', 'Yazılım Şefliği', 'Sistem Şefliği', LEGACY_GROUP_NAME]));
    const cats = (await db('glpi_itilcategories').pluck('completename')) as string[];
    expect(cats).toEqual(expect.arrayContaining(['Donanım > Yazıcı', 'Yazılım > EBYS', 'Ağ > VPN', 'Telefon > IP Telefon', 'E-imza', 'Hesap/Şifre', 'Kamera']));
    expect(await db('glpi_slas').count({ n: '*' }).first()).toEqual({ n: 12 });
    const techs = await db('glpi_users').where('profiles_id', 6).count({ n: '*' }).first();
    expect(techs).toEqual({ n: 12 });
    expect(summary.users).toBeGreaterThan(150);
    const names = (await db('glpi_users').pluck('firstname')) as string[];
    expect(names.some((n) => /[çğıöşüİ]/i.test(n))).toBe(true);
  });

  it('seeds the faults it reports, on non-deleted tickets', async () => {
    expect(summary.faults.noGroup).toBe(Math.round(6000 * 0.003));
    expect(summary.faults.unknownGroup).toBeGreaterThanOrEqual(3);
    expect(summary.faults.solvedBeforeOpened).toBeGreaterThanOrEqual(2);
    expect(summary.deleted).toBe(30);
    const live = tickets.filter((t) => !t.is_deleted);
    expect(live.filter((t) => t.solvedate && t.solvedate < t.date)).toHaveLength(summary.faults.solvedBeforeOpened);
    const requesterLinks = new Set((await db('glpi_groups_tickets').where('type', 1).pluck('tickets_id')) as number[]);
    expect(live.filter((t) => !requesterLinks.has(t.id))).toHaveLength(summary.faults.noGroup);
    const legacy = await db('glpi_groups_tickets as gt')
      .join('glpi_groups as g', 'g.id', 'gt.groups_id')
      .join('glpi_tickets as t', 't.id', 'gt.tickets_id')
      .where({ 'g.name': LEGACY_GROUP_NAME, 't.is_deleted': 0 })
      .count({ n: '*' })
      .first();
    expect(legacy).toEqual({ n: summary.faults.unknownGroup });
  });

  it('adds solutions (a few refused first: reopened), follow-ups and a few satisfaction answers', async () => {
    const solved = tickets.filter((t) => t.status >= 5).length;
    // every solved ticket has one accepted or pending solution; about 4 % also have a refused one before it
    expect(await db('glpi_itilsolutions').whereNot('status', 4).count({ n: '*' }).first()).toEqual({ n: solved });
    const refused = (await db('glpi_itilsolutions').where('status', 4).count({ n: '*' }).first()) as { n: number };
    expect(refused.n).toBeGreaterThan(solved * 0.02);
    expect(refused.n).toBeLessThan(solved * 0.07);
    expect(summary.followups).toBeGreaterThan(500);
    const sat = (await db('glpi_ticketsatisfactions').whereNotNull('satisfaction').pluck('satisfaction')) as number[];
    expect(sat.length).toBeGreaterThan(100);
    expect(Math.min(...sat)).toBeGreaterThanOrEqual(1);
    expect(Math.max(...sat)).toBeLessThanOrEqual(5);
  });
});

function wall(d: Date): string {
  return new Date(d.getTime() + 3 * 3_600_000).toISOString().slice(0, 19).replace('T', ' ');
}
