import fs from 'node:fs';
import path from 'node:path';
import knexFactory, { type Knex } from 'knex';
import { ConfigError, errorMessage, SourceUnavailableError } from '../../../common/errors.js';
import { describeUrl, knexConfigFromUrl } from '../../../common/db/knex-url.js';
import type { Logger } from '../../../common/logger.js';
import { zoneClock } from '../../calendar/wall-clock.js';

/**
 * The GLPI connector's I/O: open the database, then read tickets page by page.
 * One query shape for MariaDB/MySQL (real GLPI 10.0/11.0) and SQLite (the demo source).
 */

/** The source's database is reachable but is not (a complete) GLPI. Retrying will not help. */
export class NotGlpiDatabaseError extends SourceUnavailableError {
  override readonly code: string = 'source_not_glpi';
  override readonly retryable: boolean = false;
}

/** glpi_tickets columns Pano reads; all exist in GLPI 10.0 and 11.0 (tests check both schemas). */
export const GLPI_TICKET_COLUMNS = [
  'id',
  'entities_id',
  'name',
  'date',
  'closedate',
  'solvedate',
  'takeintoaccountdate',
  'date_mod',
  'date_creation',
  'status',
  'type',
  'priority',
  'urgency',
  'impact',
  'itilcategories_id',
  'requesttypes_id',
  'locations_id',
  'time_to_resolve',
  'time_to_own',
  'slas_id_ttr',
  'slas_id_tto',
  'takeintoaccount_delay_stat',
  'solve_delay_stat',
  'close_delay_stat',
  'waiting_duration',
  'is_deleted',
] as const;

/** Every table the extract query touches. */
export const GLPI_TABLES_READ = [
  'glpi_tickets',
  'glpi_entities',
  'glpi_itilcategories',
  'glpi_groups',
  'glpi_groups_tickets',
  'glpi_slas',
  'glpi_ticketsatisfactions',
  'glpi_itilfollowups',
  'glpi_itilsolutions',
  'glpi_tickets_users',
  'glpi_users',
] as const;

type DateValue = string | Date | null;

/** One ticket as the query returns it: GLPI's own column names, datetimes as local wall-clock text. */
export interface RawGlpiTicket {
  id: number;
  entities_id: number;
  name: string | null;
  date: DateValue;
  closedate: DateValue;
  solvedate: DateValue;
  takeintoaccountdate: DateValue;
  date_mod: DateValue;
  date_creation: DateValue;
  status: number;
  type: number;
  priority: number;
  urgency: number;
  impact: number;
  itilcategories_id: number;
  requesttypes_id: number;
  locations_id: number;
  time_to_resolve: DateValue;
  time_to_own: DateValue;
  slas_id_ttr: number;
  slas_id_tto: number;
  takeintoaccount_delay_stat: number;
  solve_delay_stat: number;
  close_delay_stat: number;
  waiting_duration: number;
  is_deleted: number;
  /** glpi_itilcategories.completename, e.g. 'Donanım > Yazıcı'. */
  category: string | null;
  /** glpi_entities.completename and .name. */
  entity: string | null;
  entity_name: string | null;
  /** Requester group (glpi_groups_tickets type 1): the earliest link when there are several. */
  requester_group: string | null;
  /** Assigned group (glpi_groups_tickets type 2): the earliest link when there are several. */
  assigned_group: string | null;
  /** Assigned technician (glpi_tickets_users type 2, the earliest link): "Firstname Realname", else the login. */
  technician: string | null;
  sla_ttr_name: string | null;
  sla_tto_name: string | null;
  satisfaction: number | null;
  satisfaction_answered_at: DateValue;
  followup_count: number;
  solution_count: number;
}

export interface ConnectGlpiOptions {
  /** SQLite only: open read-only (default true). MariaDB: use a SELECT-only account instead. */
  readonly?: boolean;
  /** Where the driver's own warnings go (default: stderr). Connection failures are not repeated there: they are thrown. */
  logger?: Pick<Logger, 'warn' | 'debug'>;
}

/**
 * Opens the GLPI database and checks it: reachable (else SourceUnavailableError naming the
 * source and host, never the password) and really GLPI (else NotGlpiDatabaseError).
 * MariaDB datetimes come back as text (`dateStrings`), exactly as the session shows them.
 */
export async function connectGlpi(url: string, opts: ConnectGlpiOptions = {}): Promise<Knex> {
  const where = describeUrl(url);
  const secret = passwordOf(url);
  const clean = (msg: string) => (secret ? msg.split(secret).join('***') : msg);
  let config: Knex.Config;
  if (url.startsWith('sqlite:')) {
    const file = url.slice('sqlite:'.length).replace(/^\/\//, '');
    if (!fs.existsSync(file)) throw new SourceUnavailableError(`GLPI database at ${where} is unreachable: file not found (${path.resolve(file)})`);
    config = {
      client: 'better-sqlite3',
      connection: { filename: file, options: { readonly: opts.readonly ?? true } } as Knex.Sqlite3ConnectionConfig,
      useNullAsDefault: true,
    };
  } else if (/^(mysql|mariadb):\/\//.test(url)) {
    const base = knexConfigFromUrl(url);
    config = {
      ...base,
      connection: { ...(base.connection as object), dateStrings: true, supportBigNumbers: true, charset: 'utf8mb4' } as Knex.MySql2ConnectionConfig,
      acquireConnectionTimeout: 15_000,
    };
  } else {
    throw new ConfigError(`PANO_GLPI_URL: GLPI runs on MariaDB/MySQL; use mysql://user:password@host:port/glpi (or sqlite:<file> for the demo), got ${where}`);
  }

  const db = knexFactory({ ...config, log: driverLog(where, opts.logger) });
  try {
    await db.raw('select 1 as ok');
  } catch (e) {
    await db.destroy().catch(() => undefined);
    throw new SourceUnavailableError(`GLPI database at ${where} is unreachable: ${clean(errorMessage(e))}`, e);
  }
  const missing: string[] = [];
  for (const table of GLPI_TABLES_READ) {
    try {
      await db(table).select('id').limit(1);
    } catch (e) {
      if (isNoSuchTable(e)) missing.push(table);
      else {
        await db.destroy().catch(() => undefined);
        throw new SourceUnavailableError(`GLPI database at ${where} cannot be read: ${clean(errorMessage(e))}`, e);
      }
    }
  }
  if (missing.length) {
    await db.destroy().catch(() => undefined);
    const what = missing.includes('glpi_tickets') ? 'table glpi_tickets not found' : `table${missing.length > 1 ? 's' : ''} ${missing.join(', ')} not found`;
    throw new NotGlpiDatabaseError(`GLPI database at ${where} does not look like a GLPI database: ${what}`);
  }
  return db;
}

/** GLPI's version from glpi_configs ('10.0.19'), or null when the database does not record it (the demo). */
export async function readGlpiVersion(knex: Knex): Promise<string | null> {
  try {
    const row = (await knex('glpi_configs').where({ context: 'core', name: 'version' }).first('value')) as { value?: string } | undefined;
    return row?.value ?? null;
  } catch {
    return null;
  }
}

export interface ExtractGlpiOptions {
  /** Only tickets modified at or after this instant (glpi_tickets.date_mod), for incremental loads. */
  since?: Date;
  /** Zone of GLPI's wall-clock datetimes; used to turn `since` into the database's local time. */
  timezone: string;
  /** Tickets per page (keyset paging on id). Default 5000. */
  pageSize?: number;
}

/**
 * Non-deleted tickets with their category, entity, requester and assigned group, SLA names,
 * satisfaction and follow-up/solution counts, as pages of plain objects (one query per page,
 * keyset on id), so a million tickets never sit in memory at once.
 */
export async function* extractGlpiTickets(knex: Knex, opts: ExtractGlpiOptions): AsyncGenerator<RawGlpiTicket[]> {
  const pageSize = opts.pageSize ?? 5000;
  if (!Number.isInteger(pageSize) || pageSize < 1) throw new RangeError(`pageSize must be a positive integer, got ${pageSize}`);
  const since = opts.since ? zoneClock(opts.timezone).format(opts.since) : null;
  let lastId = 0;
  for (;;) {
    const q = ticketQuery(knex).where('t.id', '>', lastId).orderBy('t.id').limit(pageSize);
    if (since) q.where('t.date_mod', '>=', since);
    const rows = (await q) as RawGlpiTicket[];
    if (rows.length === 0) return;
    const page = rows.map(normalizeRow);
    lastId = page[page.length - 1].id;
    yield page;
    if (rows.length < pageSize) return;
  }
}

/** The one query (without paging): exported so tests and tools can inspect its SQL. */
export function ticketQuery(knex: Knex): Knex.QueryBuilder {
  const groupOfType = (type: 1 | 2, alias: string) =>
    knex('glpi_groups_tickets as gt')
      .join('glpi_groups as g', 'g.id', 'gt.groups_id')
      .where('gt.type', type)
      .whereRaw('?? = ??', ['gt.tickets_id', 't.id'])
      .orderBy('gt.id')
      .limit(1)
      .select('g.name')
      .as(alias);
  // The technician's display name: GLPI keeps first and last name apart; a login-only account shows its login.
  const technicianOf = () =>
    knex('glpi_tickets_users as tu')
      .join('glpi_users as u', 'u.id', 'tu.users_id')
      .where('tu.type', 2)
      .whereRaw('?? = ??', ['tu.tickets_id', 't.id'])
      .orderBy('tu.id')
      .limit(1)
      .select(knex.raw("COALESCE(NULLIF(TRIM(CONCAT_WS(' ', u.firstname, u.realname)), ''), u.name)"))
      .as('technician');
  const countOf = (table: string, alias: string) =>
    knex(`${table} as x`).count('*').where('x.itemtype', 'Ticket').whereRaw('?? = ??', ['x.items_id', 't.id']).as(alias);

  return knex('glpi_tickets as t')
    .leftJoin('glpi_itilcategories as c', 'c.id', 't.itilcategories_id')
    .leftJoin('glpi_entities as e', 'e.id', 't.entities_id')
    .leftJoin('glpi_slas as sttr', 'sttr.id', 't.slas_id_ttr')
    .leftJoin('glpi_slas as stto', 'stto.id', 't.slas_id_tto')
    .leftJoin('glpi_ticketsatisfactions as s', 's.tickets_id', 't.id')
    .where('t.is_deleted', 0)
    .select(GLPI_TICKET_COLUMNS.map((c) => `t.${c}`))
    .select({
      category: 'c.completename',
      entity: 'e.completename',
      entity_name: 'e.name',
      sla_ttr_name: 'sttr.name',
      sla_tto_name: 'stto.name',
      satisfaction: 's.satisfaction',
      satisfaction_answered_at: 's.date_answered',
    })
    .select(groupOfType(1, 'requester_group'), groupOfType(2, 'assigned_group'), technicianOf())
    .select(countOf('glpi_itilfollowups', 'followup_count'), countOf('glpi_itilsolutions', 'solution_count'));
}

/** Plain object with numbers as numbers (drivers may hand back BIGINT counts as strings). */
function normalizeRow(r: RawGlpiTicket): RawGlpiTicket {
  return { ...r, id: Number(r.id), followup_count: Number(r.followup_count ?? 0), solution_count: Number(r.solution_count ?? 0) };
}

/** Knex's logger: connection errors are thrown as SourceUnavailableError, so only debug-log them here. */
function driverLog(where: string, logger?: Pick<Logger, 'warn' | 'debug'>): Knex.Config['log'] {
  const warn = (message: unknown) => {
    const text = String(message);
    if (text.startsWith('Acquire connection error')) logger?.debug({ source: 'glpi', where, message: text.split('\n')[0] }, 'etl.glpi.connect_attempt_failed');
    else if (logger) logger.warn({ source: 'glpi', where, message: text }, 'etl.glpi.driver_warning');
    else process.stderr.write(`knex (glpi ${where}): ${text}\n`);
  };
  return { warn, error: warn, deprecate: warn, debug: () => undefined };
}

function isNoSuchTable(e: unknown): boolean {
  const err = e as { code?: string; errno?: number; message?: string };
  return err?.errno === 1146 || err?.code === 'ER_NO_SUCH_TABLE' || /no such table/i.test(err?.message ?? '');
}

function passwordOf(url: string): string | null {
  try {
    const u = new URL(url);
    return u.password ? decodeURIComponent(u.password) : null;
  } catch {
    return null;
  }
}
