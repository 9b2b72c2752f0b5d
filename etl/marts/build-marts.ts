import type { DuckDBConnection } from '@duckdb/node-api';
import { UNITS } from '../../common/units.js';
import { appendRows, createTableSql, type Column } from '../warehouse/duckdb.js';
import { hrMarts } from './hr.js';
import { inventoryMarts } from './inventory.js';
import { backupMarts } from './backup.js';
import { telecomMarts } from './telecom.js';

const UNIT_COLUMNS: Column[] = [
  { name: 'unit_code', type: 'VARCHAR' },
  { name: 'unit_name', type: 'VARCHAR' },
  { name: 'staff_count', type: 'INTEGER' },
];

/**
 * Builds the marts the semantic layer (model/) reads, from the raw tables of this snapshot.
 * Marts are rebuilt whole in every snapshot: they are small next to raw and this keeps them always consistent.
 */
export async function buildMarts(conn: DuckDBConnection, present: ReadonlySet<string>): Promise<void> {
  await conn.run('CREATE SCHEMA IF NOT EXISTS marts');
  await conn.run(createTableSql('marts', 'dim_units', UNIT_COLUMNS));
  await appendRows(conn, 'marts', 'dim_units', UNIT_COLUMNS, UNITS.map((u) => ({ unit_code: u.code, unit_name: u.name, staff_count: u.staff })));

  if (present.has('glpi')) {
    await conn.run(`
      CREATE TABLE marts.fct_tickets AS
      SELECT
        ticket_id, title, opened_at, solved_at, closed_at,
        status_code, status, type_code, type, category, priority, priority_label, urgency, impact,
        unit_code, requester_group, assigned_group, sla_due_at, own_due_at,
        resolution_work_hours,
        status_code IN (1, 2, 3, 4) AS is_open,
        CASE WHEN solved_at IS NOT NULL AND sla_due_at IS NOT NULL THEN solved_at <= sla_due_at END AS sla_met
      FROM raw_glpi.tickets`);
  }
  for (const mart of DOMAIN_MARTS) {
    if (mart.requires.every((id) => present.has(id))) await mart.build(conn, present);
  }
}

/**
 * Marts of the other domains (inventory, telecom, backups, HR), each built when the raw sources it needs are
 * in the snapshot. Each domain adds its builder here.
 */
export interface MartBuilder {
  name: string;
  requires: string[];
  build(conn: DuckDBConnection, present: ReadonlySet<string>): Promise<void>;
}

export const DOMAIN_MARTS: MartBuilder[] = [inventoryMarts, telecomMarts, backupMarts, hrMarts];
