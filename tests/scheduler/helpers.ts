import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { openAppDb, type AppDb } from '../../common/db/app-db.js';
import type { Logger } from '../../common/logger.js';

/** A fresh app database (SQLite file in a temp dir, all migrations applied) and its cleanup. */
export async function tempAppDb(): Promise<{ db: AppDb; dir: string; cleanup: () => Promise<void> }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pano-sched-'));
  const db = await openAppDb(`sqlite:${path.join(dir, 'app.sqlite')}`);
  return {
    db,
    dir,
    cleanup: async () => {
      await db.destroy();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function tempDir(prefix = 'pano-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export interface LogLine {
  level: number;
  msg: string;
  [key: string]: unknown;
}

/** A real pino logger whose lines are kept for assertions. */
export function captureLogger(): { logger: Logger; lines: LogLine[]; events: (msg: string) => LogLine[] } {
  const lines: LogLine[] = [];
  const logger = pino({ level: 'debug', base: undefined }, { write: (s: string) => void lines.push(JSON.parse(s)) });
  return { logger, lines, events: (msg) => lines.filter((l) => l.msg === msg) };
}

export async function insertSubscription(
  db: AppDb,
  values: Partial<{
    report_id: string;
    name: string;
    cron: string;
    timezone: string;
    owner_username: string;
    recipients: string[];
    active: boolean;
    format: string;
  }> = {},
): Promise<number> {
  const [row] = await db('subscriptions').insert(
    {
      report_id: values.report_id ?? 'helpdesk-weekly',
      name: values.name ?? 'Yardım Masası Haftalık Raporu',
      cron: values.cron ?? '0 8 * * 1',
      timezone: values.timezone ?? 'Europe/Istanbul',
      owner_username: values.owner_username ?? 'mudur',
      recipients_json: JSON.stringify(values.recipients ?? ['mudur@sultanbeyli.bel.tr']),
      format: values.format ?? 'pdf',
      active: values.active ?? true,
    },
    ['id'],
  );
  return Number((row as { id: number }).id);
}

export async function insertUser(db: AppDb, values: { username: string; role: string; email: string | null; active?: boolean }): Promise<void> {
  await db('users').insert({
    username: values.username,
    display_name: values.username,
    email: values.email,
    password_hash: 'x',
    role: values.role,
    active: values.active ?? true,
  });
}
