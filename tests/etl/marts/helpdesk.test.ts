import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { helpdeskMarts } from '../../../etl/marts/helpdesk.js';
import { timeZoneSql } from '../../../etl/marts/mart-builder.js';
import { SOURCE_IDS } from '../../../etl/source-ids.js';

/** The helpdesk mart over one hand-made raw ticket: its dates are days in the run's business time zone. */
let instance: DuckDBInstance;
let conn: DuckDBConnection;
beforeEach(async () => {
  instance = await DuckDBInstance.create(':memory:');
  conn = await instance.connect();
  await conn.run("SET TimeZone = 'UTC'");
  await conn.run('CREATE SCHEMA raw_glpi');
  await conn.run('CREATE SCHEMA marts');
  await conn.run(`
    CREATE TABLE raw_glpi.tickets AS SELECT
      1 AS ticket_id, 'Yazıcı çalışmıyor' AS title,
      TIMESTAMPTZ '2026-03-31 22:30:00+00' AS opened_at, CAST(NULL AS TIMESTAMPTZ) AS taken_at,
      TIMESTAMPTZ '2026-04-30 21:15:00+00' AS solved_at, CAST(NULL AS TIMESTAMPTZ) AS closed_at,
      5 AS status_code, 'Çözüldü' AS status, 1 AS type_code, 'Arıza' AS type, 'Donanım' AS category,
      3 AS priority, 'Orta' AS priority_label, 3 AS urgency, 3 AS impact,
      'BILGI_ISLEM' AS unit_code, 'Bilgi İşlem' AS requester_group, 'Destek' AS assigned_group, 'teknisyen' AS technician,
      CAST(NULL AS TIMESTAMPTZ) AS sla_due_at, CAST(NULL AS TIMESTAMPTZ) AS own_due_at,
      1.5 AS resolution_work_hours, 0.5 AS first_response_work_hours,
      CAST(NULL AS INTEGER) AS satisfaction, 0 AS followup_count, 1 AS solution_count`);
});
afterEach(() => {
  conn.closeSync();
  instance.closeSync();
});

describe('marts.fct_tickets dates', () => {
  it.each([
    ['UTC', '2026-03-31', '2026-04-30'],
    ['Europe/Istanbul', '2026-04-01', '2026-05-01'],
    ['America/New_York', '2026-03-31', '2026-04-30'],
  ])('in %s: opened %s, solved %s', async (timezone, opened, solved) => {
    await helpdeskMarts.build(conn, new Set([SOURCE_IDS.glpi]), { timezone });
    const rows = (
      await conn.runAndReadAll('SELECT CAST(opened_date AS VARCHAR) AS o, CAST(solved_date AS VARCHAR) AS s FROM marts.fct_tickets')
    ).getRowObjectsJson();
    expect(rows).toEqual([{ o: opened, s: solved }]);
  });

  it('refuses a time zone that is not a zone name before it reaches SQL', async () => {
    await expect(helpdeskMarts.build(conn, new Set([SOURCE_IDS.glpi]), { timezone: "UTC', opened_at)) AS x; --" })).rejects.toThrow(/Not an IANA time zone/);
    expect(() => timeZoneSql('Mars/Olympus')).toThrow(RangeError);
    expect(timeZoneSql('Europe/Istanbul')).toBe("'Europe/Istanbul'");
  });
});
