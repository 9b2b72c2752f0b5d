import type { Knex } from 'knex';

/**
 * The app database's schema, as knex migrations kept in code (no loader tricks, same on SQLite and PostgreSQL).
 * Append new migrations; never edit one that has shipped.
 */
interface Migration {
  name: string;
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
}

const migrations: Migration[] = [
  {
    name: '0001_users',
    async up(knex) {
      await knex.schema.createTable('users', (t) => {
        t.increments('id');
        t.string('username', 64).notNullable().unique();
        t.string('display_name', 200).notNullable();
        t.string('email', 200);
        t.string('password_hash', 300).notNullable();
        t.string('role', 32).notNullable();
        t.string('unit_code', 32);
        t.boolean('active').notNullable().defaultTo(true);
        t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
      });
    },
    async down(knex) {
      await knex.schema.dropTable('users');
    },
  },
  {
    name: '0002_etl_runs_and_quarantine',
    async up(knex) {
      await knex.schema.createTable('etl_runs', (t) => {
        t.increments('id');
        t.string('run_id', 64).notNullable().index();
        t.string('source', 64).notNullable();
        t.string('status', 16).notNullable(); // running | succeeded | failed | kept_previous
        t.timestamp('started_at', { useTz: true }).notNullable();
        t.timestamp('finished_at', { useTz: true });
        t.integer('rows_read').notNullable().defaultTo(0);
        t.integer('rows_loaded').notNullable().defaultTo(0);
        t.integer('rows_rejected').notNullable().defaultTo(0);
        t.string('watermark', 64);
        t.string('data_as_of', 64);
        t.text('checks_json');
        t.string('snapshot_id', 64);
        t.text('message');
      });
      await knex.schema.createTable('quarantine', (t) => {
        t.increments('id');
        t.string('run_id', 64).notNullable().index();
        t.string('source', 64).notNullable().index();
        t.string('location', 300).notNullable(); // table or file
        t.string('locator', 300).notNullable(); // row id, line number
        t.text('record_json').notNullable(); // PII masked
        t.text('reason').notNullable();
        t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
      });
    },
    async down(knex) {
      await knex.schema.dropTable('quarantine');
      await knex.schema.dropTable('etl_runs');
    },
  },
  {
    name: '0003_subscriptions_and_deliveries',
    async up(knex) {
      await knex.schema.createTable('subscriptions', (t) => {
        t.increments('id');
        t.string('report_id', 64).notNullable();
        t.string('name', 200).notNullable();
        t.string('cron', 64).notNullable();
        t.string('timezone', 64).notNullable().defaultTo('Europe/Istanbul'); // frozen as applied: not DEFAULT_TIMEZONE
        t.string('owner_username', 64).notNullable(); // whose permissions the report is rendered with
        t.text('recipients_json').notNullable(); // ["a@b", …]
        t.string('format', 16).notNullable().defaultTo('pdf');
        t.boolean('hold_on_failed_sources').notNullable().defaultTo(false);
        t.boolean('active').notNullable().defaultTo(true);
        t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
      });
      await knex.schema.createTable('deliveries', (t) => {
        t.increments('id');
        t.integer('subscription_id').references('subscriptions.id');
        t.string('report_id', 64).notNullable();
        t.string('run_key', 100).notNullable(); // one scheduled occurrence, e.g. "3@2026-11-30T05:00:00Z"
        t.string('recipient', 200).notNullable();
        t.string('status', 16).notNullable(); // sent | failed | held
        t.integer('attempts').notNullable().defaultTo(0);
        t.string('pdf_sha256', 64);
        t.string('message_id', 300);
        t.text('smtp_response');
        t.text('error');
        t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
        t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
        t.unique(['run_key', 'recipient']);
      });
    },
    async down(knex) {
      await knex.schema.dropTable('deliveries');
      await knex.schema.dropTable('subscriptions');
    },
  },
  {
    name: '0004_audit_log',
    async up(knex) {
      await knex.schema.createTable('audit_log', (t) => {
        t.increments('id');
        t.timestamp('at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
        t.string('username', 64);
        t.string('action', 64).notNullable();
        t.text('detail_json');
      });
    },
    async down(knex) {
      await knex.schema.dropTable('audit_log');
    },
  },
  {
    name: '0005_api_keys',
    async up(knex) {
      // Keys for services (other systems, scripts) that query the API without a person's login.
      // Only the SHA-256 of a key is stored; the key itself is shown once, when it is created.
      await knex.schema.createTable('api_keys', (t) => {
        t.increments('id');
        t.string('name', 64).notNullable().unique();
        t.string('key_prefix', 16).notNullable();
        t.string('key_hash', 64).notNullable().unique();
        t.string('role', 16).notNullable();
        t.string('unit_code', 32);
        t.string('created_by', 64);
        t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
        t.timestamp('expires_at', { useTz: true });
        t.timestamp('last_used_at', { useTz: true });
        t.timestamp('revoked_at', { useTz: true });
      });
    },
    async down(knex) {
      await knex.schema.dropTable('api_keys');
    },
  },
  {
    name: '0006_sessions',
    async up(knex) {
      // Logout ends a token: its id (jti) is kept until the token would have expired anyway.
      await knex.schema.createTable('revoked_tokens', (t) => {
        t.string('jti', 64).primary();
        t.string('username', 64);
        t.timestamp('expires_at', { useTz: true }).notNullable().index();
        t.timestamp('revoked_at', { useTz: true }).notNullable().defaultTo(knex.fn.now()).index();
      });
      // Tokens issued before this instant are refused (set when a user is disabled or their rights change).
      await knex.schema.alterTable('users', (t) => {
        t.timestamp('tokens_valid_after', { useTz: true });
      });
    },
    async down(knex) {
      await knex.schema.alterTable('users', (t) => {
        t.dropColumn('tokens_valid_after');
      });
      await knex.schema.dropTable('revoked_tokens');
    },
  },
];

export const migrationSource: Knex.MigrationSource<Migration> = {
  async getMigrations() {
    return migrations;
  },
  getMigrationName(m) {
    return m.name;
  },
  async getMigration(m) {
    return m;
  },
};
