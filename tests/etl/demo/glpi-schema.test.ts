import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import knexFactory, { type Knex } from 'knex';
import { createGlpiDemoSchema, GLPI_DEMO_TABLES } from '../../../etl/demo/glpi-schema.js';
import { GLPI_10_EMPTY, readGlpiColumns } from '../sources/helpdesk/glpi-ddl.js';

describe('createGlpiDemoSchema (SQLite)', () => {
  let db: Knex;
  const real = readGlpiColumns(GLPI_10_EMPTY);

  beforeAll(async () => {
    db = knexFactory({ client: 'better-sqlite3', connection: { filename: ':memory:' }, useNullAsDefault: true });
    await createGlpiDemoSchema(db);
  });
  afterAll(() => db.destroy());

  it('reads the real GLPI 10.0.19 install schema', () => {
    expect(real.size).toBeGreaterThan(300);
    expect(real.get('glpi_tickets')).toContain('takeintoaccount_delay_stat');
  });

  it.each(GLPI_DEMO_TABLES.map((t) => [t]))('%s uses only real GLPI 10.0.19 columns', async (table) => {
    const cols = (await db.raw(`PRAGMA table_info(${table})`)) as Array<{ name: string }>;
    expect(cols.length).toBeGreaterThan(2);
    const realCols = real.get(table);
    expect(realCols, `${table} exists in GLPI`).toBeDefined();
    expect(cols.map((c) => c.name).filter((c) => !realCols!.includes(c))).toEqual([]);
  });

  it('keeps the columns Pano reads and the brief names', async () => {
    const cols = ((await db.raw('PRAGMA table_info(glpi_tickets)')) as Array<{ name: string }>).map((c) => c.name);
    for (const c of [
      'id',
      'name',
      'entities_id',
      'date',
      'date_mod',
      'date_creation',
      'closedate',
      'solvedate',
      'takeintoaccountdate',
      'status',
      'type',
      'priority',
      'urgency',
      'impact',
      'itilcategories_id',
      'time_to_resolve',
      'time_to_own',
      'slas_id_ttr',
      'slas_id_tto',
      'is_deleted',
      'takeintoaccount_delay_stat',
      'solve_delay_stat',
      'close_delay_stat',
      'waiting_duration',
      'content',
      'requesttypes_id',
      'locations_id',
    ]) {
      expect(cols).toContain(c);
    }
  });

  it('can be created twice (drops first) and refuses a non-SQLite database', async () => {
    await createGlpiDemoSchema(db);
    const fake = { client: { config: { client: 'mysql2' } } } as unknown as Knex;
    await expect(createGlpiDemoSchema(fake)).rejects.toThrow(/install schema/);
  });
});
