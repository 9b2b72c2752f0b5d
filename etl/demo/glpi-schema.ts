import type { Knex } from 'knex';

/**
 * The GLPI tables the embedded demo source needs, for SQLite, with GLPI 10.0.19's real table
 * and column names (install/mysql/glpi-empty.sql; see ../shared/samples/glpi/). It is a
 * faithful subset: every column here exists in GLPI with the same name and meaning, so the
 * demo generator and the connector run unchanged against a real GLPI MariaDB database, which
 * uses the real install schema instead of this one. Column types follow GLPI's where SQLite
 * has them; TIMESTAMP columns hold local wall-clock text 'YYYY-MM-DD HH:MM:SS'.
 *
 * tests/etl/demo/glpi-schema.test.ts checks every column against the real install file.
 */

type T = Knex.CreateTableBuilder;

/** `int unsigned NOT NULL DEFAULT '0'` and friends. */
const int0 = (t: T, name: string) => t.integer(name).notNullable().defaultTo(0);
const flag = (t: T, name: string, dflt: 0 | 1) => t.tinyint(name).notNullable().defaultTo(dflt);
const ts = (t: T, name: string) => t.timestamp(name, { useTz: false }).nullable().defaultTo(null);
const str = (t: T, name: string) => t.string(name, 255).nullable().defaultTo(null);

/** The tables created, in creation order. */
export const GLPI_DEMO_TABLES = [
  'glpi_entities',
  'glpi_locations',
  'glpi_requesttypes',
  'glpi_calendars',
  'glpi_calendarsegments',
  'glpi_holidays',
  'glpi_calendars_holidays',
  'glpi_slms',
  'glpi_slas',
  'glpi_groups',
  'glpi_users',
  'glpi_groups_users',
  'glpi_itilcategories',
  'glpi_tickets',
  'glpi_groups_tickets',
  'glpi_tickets_users',
  'glpi_itilsolutions',
  'glpi_itilfollowups',
  'glpi_ticketsatisfactions',
] as const;

const DEFINITIONS: Record<(typeof GLPI_DEMO_TABLES)[number], (t: T) => void> = {
  glpi_entities(t) {
    // The root entity has id 0, so no AUTO_INCREMENT here (as in GLPI).
    t.integer('id').notNullable().primary();
    str(t, 'name');
    t.integer('entities_id').nullable().defaultTo(0);
    t.text('completename');
    t.text('comment');
    t.integer('level').notNullable().defaultTo(0);
    t.text('sons_cache');
    t.text('ancestors_cache');
    str(t, 'registration_number');
    t.text('address');
    str(t, 'postcode');
    str(t, 'town');
    str(t, 'state');
    str(t, 'country');
    str(t, 'website');
    str(t, 'phonenumber');
    str(t, 'email');
    str(t, 'tag');
    ts(t, 'date_mod');
    ts(t, 'date_creation');
    t.unique(['entities_id', 'name'], { indexName: 'glpi_entities_unicity' });
  },
  glpi_locations(t) {
    t.increments('id');
    int0(t, 'entities_id');
    flag(t, 'is_recursive', 0);
    str(t, 'name');
    int0(t, 'locations_id');
    t.text('completename');
    t.text('comment');
    t.integer('level').notNullable().defaultTo(0);
    t.text('ancestors_cache');
    t.text('sons_cache');
    t.text('address');
    str(t, 'postcode');
    str(t, 'town');
    str(t, 'state');
    str(t, 'country');
    str(t, 'building');
    str(t, 'room');
    ts(t, 'date_mod');
    ts(t, 'date_creation');
    t.unique(['entities_id', 'locations_id', 'name'], { indexName: 'glpi_locations_unicity' });
  },
  glpi_requesttypes(t) {
    t.increments('id');
    str(t, 'name');
    flag(t, 'is_helpdesk_default', 0);
    flag(t, 'is_followup_default', 0);
    flag(t, 'is_mail_default', 0);
    flag(t, 'is_mailfollowup_default', 0);
    flag(t, 'is_active', 1);
    flag(t, 'is_ticketheader', 1);
    flag(t, 'is_itilfollowup', 1);
    t.text('comment');
    ts(t, 'date_mod');
    ts(t, 'date_creation');
  },
  glpi_calendars(t) {
    t.increments('id');
    str(t, 'name');
    int0(t, 'entities_id');
    flag(t, 'is_recursive', 0);
    t.text('comment');
    ts(t, 'date_mod');
    t.text('cache_duration');
    ts(t, 'date_creation');
  },
  glpi_calendarsegments(t) {
    t.increments('id');
    int0(t, 'calendars_id');
    int0(t, 'entities_id');
    flag(t, 'is_recursive', 0);
    t.tinyint('day').notNullable().defaultTo(1);
    t.time('begin').nullable();
    t.time('end').nullable();
    t.index(['calendars_id'], 'glpi_calendarsegments_calendars_id');
  },
  glpi_holidays(t) {
    t.increments('id');
    str(t, 'name');
    int0(t, 'entities_id');
    flag(t, 'is_recursive', 0);
    t.text('comment');
    t.date('begin_date').nullable();
    t.date('end_date').nullable();
    flag(t, 'is_perpetual', 0);
    ts(t, 'date_mod');
    ts(t, 'date_creation');
  },
  glpi_calendars_holidays(t) {
    t.increments('id');
    int0(t, 'calendars_id');
    int0(t, 'holidays_id');
    t.unique(['calendars_id', 'holidays_id'], { indexName: 'glpi_calendars_holidays_unicity' });
  },
  glpi_slms(t) {
    t.increments('id');
    str(t, 'name');
    int0(t, 'entities_id');
    flag(t, 'is_recursive', 0);
    t.text('comment');
    flag(t, 'use_ticket_calendar', 0);
    int0(t, 'calendars_id');
    ts(t, 'date_mod');
    ts(t, 'date_creation');
  },
  glpi_slas(t) {
    t.increments('id');
    str(t, 'name');
    int0(t, 'entities_id');
    flag(t, 'is_recursive', 0);
    t.integer('type').notNullable().defaultTo(0); // 0 = time to resolve, 1 = time to own
    t.text('comment');
    t.integer('number_time').notNullable();
    flag(t, 'use_ticket_calendar', 0);
    int0(t, 'calendars_id');
    ts(t, 'date_mod');
    str(t, 'definition_time'); // 'minute' | 'hour' | 'day' | 'month'
    flag(t, 'end_of_working_day', 0);
    ts(t, 'date_creation');
    int0(t, 'slms_id');
  },
  glpi_groups(t) {
    t.increments('id');
    int0(t, 'entities_id');
    flag(t, 'is_recursive', 0);
    str(t, 'name');
    t.text('comment');
    str(t, 'ldap_field');
    t.text('ldap_value');
    t.text('ldap_group_dn');
    ts(t, 'date_mod');
    int0(t, 'groups_id');
    t.text('completename');
    t.integer('level').notNullable().defaultTo(0);
    t.text('ancestors_cache');
    t.text('sons_cache');
    flag(t, 'is_requester', 1);
    flag(t, 'is_watcher', 1);
    flag(t, 'is_assign', 1);
    flag(t, 'is_task', 1);
    flag(t, 'is_notify', 1);
    flag(t, 'is_itemgroup', 1);
    flag(t, 'is_usergroup', 1);
    flag(t, 'is_manager', 1);
    ts(t, 'date_creation');
    t.index(['name'], 'glpi_groups_name');
  },
  glpi_users(t) {
    t.increments('id');
    str(t, 'name');
    str(t, 'phone');
    str(t, 'phone2');
    str(t, 'mobile');
    str(t, 'realname');
    str(t, 'firstname');
    int0(t, 'locations_id');
    t.string('language', 10).nullable();
    flag(t, 'is_active', 1);
    t.text('comment');
    int0(t, 'auths_id');
    t.integer('authtype').notNullable().defaultTo(0);
    ts(t, 'last_login');
    ts(t, 'date_mod');
    flag(t, 'is_deleted', 0);
    int0(t, 'profiles_id');
    t.integer('entities_id').nullable().defaultTo(0);
    int0(t, 'usertitles_id');
    int0(t, 'usercategories_id');
    str(t, 'registration_number');
    ts(t, 'begin_date');
    ts(t, 'end_date');
    ts(t, 'date_creation');
    int0(t, 'groups_id');
    int0(t, 'users_id_supervisor');
    t.string('timezone', 50).nullable();
    str(t, 'nickname');
    t.unique(['name', 'authtype', 'auths_id'], { indexName: 'glpi_users_unicityloginauth' });
  },
  glpi_groups_users(t) {
    t.increments('id');
    int0(t, 'users_id');
    int0(t, 'groups_id');
    flag(t, 'is_dynamic', 0);
    flag(t, 'is_manager', 0);
    flag(t, 'is_userdelegate', 0);
    t.unique(['users_id', 'groups_id'], { indexName: 'glpi_groups_users_unicity' });
    t.index(['groups_id'], 'glpi_groups_users_groups_id');
  },
  glpi_itilcategories(t) {
    t.increments('id');
    int0(t, 'entities_id');
    flag(t, 'is_recursive', 0);
    int0(t, 'itilcategories_id');
    str(t, 'name');
    t.text('completename');
    t.text('comment');
    t.integer('level').notNullable().defaultTo(0);
    int0(t, 'knowbaseitemcategories_id');
    int0(t, 'users_id');
    int0(t, 'groups_id');
    str(t, 'code');
    t.text('ancestors_cache');
    t.text('sons_cache');
    flag(t, 'is_helpdeskvisible', 1);
    int0(t, 'tickettemplates_id_incident');
    int0(t, 'tickettemplates_id_demand');
    int0(t, 'changetemplates_id');
    int0(t, 'problemtemplates_id');
    t.integer('is_incident').notNullable().defaultTo(1);
    t.integer('is_request').notNullable().defaultTo(1);
    t.integer('is_problem').notNullable().defaultTo(1);
    flag(t, 'is_change', 1);
    ts(t, 'date_mod');
    ts(t, 'date_creation');
  },
  glpi_tickets(t) {
    t.increments('id');
    int0(t, 'entities_id');
    str(t, 'name');
    ts(t, 'date');
    ts(t, 'closedate');
    ts(t, 'solvedate');
    ts(t, 'takeintoaccountdate');
    ts(t, 'date_mod');
    int0(t, 'users_id_lastupdater');
    t.integer('status').notNullable().defaultTo(1);
    int0(t, 'users_id_recipient');
    int0(t, 'requesttypes_id');
    t.text('content');
    t.integer('urgency').notNullable().defaultTo(1);
    t.integer('impact').notNullable().defaultTo(1);
    t.integer('priority').notNullable().defaultTo(1);
    int0(t, 'itilcategories_id');
    t.integer('type').notNullable().defaultTo(1);
    t.integer('global_validation').notNullable().defaultTo(1);
    int0(t, 'slas_id_ttr');
    int0(t, 'slas_id_tto');
    int0(t, 'slalevels_id_ttr');
    ts(t, 'time_to_resolve');
    ts(t, 'time_to_own');
    ts(t, 'begin_waiting_date');
    int0(t, 'sla_waiting_duration');
    int0(t, 'ola_waiting_duration');
    int0(t, 'olas_id_tto');
    int0(t, 'olas_id_ttr');
    int0(t, 'olalevels_id_ttr');
    ts(t, 'ola_tto_begin_date');
    ts(t, 'ola_ttr_begin_date');
    ts(t, 'internal_time_to_resolve');
    ts(t, 'internal_time_to_own');
    int0(t, 'waiting_duration');
    int0(t, 'close_delay_stat');
    int0(t, 'solve_delay_stat');
    int0(t, 'takeintoaccount_delay_stat');
    int0(t, 'actiontime');
    flag(t, 'is_deleted', 0);
    int0(t, 'locations_id');
    int0(t, 'validation_percent');
    ts(t, 'date_creation');
    for (const c of ['date', 'closedate', 'status', 'priority', 'date_mod', 'entities_id', 'solvedate', 'type', 'itilcategories_id', 'is_deleted']) {
      t.index([c], `glpi_tickets_${c}`);
    }
  },
  glpi_groups_tickets(t) {
    t.increments('id');
    int0(t, 'tickets_id');
    int0(t, 'groups_id');
    t.integer('type').notNullable().defaultTo(1); // 1 requester, 2 assigned, 3 observer
    t.unique(['tickets_id', 'type', 'groups_id'], { indexName: 'glpi_groups_tickets_unicity' });
    t.index(['groups_id', 'type'], 'glpi_groups_tickets_group');
  },
  glpi_tickets_users(t) {
    t.increments('id');
    int0(t, 'tickets_id');
    int0(t, 'users_id');
    t.integer('type').notNullable().defaultTo(1); // 1 requester, 2 assigned, 3 observer
    flag(t, 'use_notification', 1);
    str(t, 'alternative_email');
    t.unique(['tickets_id', 'type', 'users_id', 'alternative_email'], { indexName: 'glpi_tickets_users_unicity' });
    t.index(['users_id', 'type'], 'glpi_tickets_users_user');
  },
  glpi_itilsolutions(t) {
    t.increments('id');
    t.string('itemtype', 100).notNullable();
    int0(t, 'items_id');
    int0(t, 'solutiontypes_id');
    str(t, 'solutiontype_name');
    t.text('content');
    ts(t, 'date_creation');
    ts(t, 'date_mod');
    ts(t, 'date_approval');
    int0(t, 'users_id');
    str(t, 'user_name');
    int0(t, 'users_id_editor');
    int0(t, 'users_id_approval');
    str(t, 'user_name_approval');
    t.integer('status').notNullable().defaultTo(1);
    t.integer('itilfollowups_id').nullable();
    t.index(['itemtype', 'items_id'], 'glpi_itilsolutions_item');
  },
  glpi_itilfollowups(t) {
    t.increments('id');
    t.string('itemtype', 100).notNullable();
    int0(t, 'items_id');
    ts(t, 'date');
    int0(t, 'users_id');
    int0(t, 'users_id_editor');
    t.text('content');
    flag(t, 'is_private', 0);
    int0(t, 'requesttypes_id');
    ts(t, 'date_mod');
    ts(t, 'date_creation');
    flag(t, 'timeline_position', 0);
    int0(t, 'sourceitems_id');
    int0(t, 'sourceof_items_id');
    t.index(['itemtype', 'items_id'], 'glpi_itilfollowups_item');
  },
  glpi_ticketsatisfactions(t) {
    t.increments('id');
    int0(t, 'tickets_id');
    t.integer('type').notNullable().defaultTo(1); // 1 internal survey, 2 external
    ts(t, 'date_begin');
    ts(t, 'date_answered');
    t.integer('satisfaction').nullable();
    t.text('comment');
    t.unique(['tickets_id'], { indexName: 'glpi_ticketsatisfactions_tickets_id' });
  },
};

/**
 * Creates the demo GLPI tables (dropping any existing ones first) in a SQLite database.
 * Not for MariaDB: a real GLPI database gets GLPI's own install schema.
 */
export async function createGlpiDemoSchema(knex: Knex): Promise<void> {
  const client = String(knex.client.config.client);
  if (!/sqlite/.test(client)) {
    throw new Error(`createGlpiDemoSchema is for the SQLite demo source; on ${client} load GLPI's own install schema (install/mysql/glpi-empty.sql)`);
  }
  for (const name of [...GLPI_DEMO_TABLES].reverse()) await knex.schema.dropTableIfExists(name);
  for (const name of GLPI_DEMO_TABLES) await knex.schema.createTable(name, DEFINITIONS[name]);
}
