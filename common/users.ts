import crypto from 'node:crypto';
import { promisify } from 'node:util';
import type { AppDb } from './db/app-db.js';
import { PanoError } from './errors.js';
import { ROLES, type Role } from './definitions/roles.js';
import { unitByCode } from './units.js';

const scrypt = promisify(crypto.scrypt) as (pw: string, salt: Buffer, len: number, opts: crypto.ScryptOptions) => Promise<Buffer>;

export { ROLES, ROLE_LABELS, type Role } from './definitions/roles.js';

export interface User {
  id: number;
  username: string;
  displayName: string;
  email: string | null;
  role: Role;
  unitCode: string | null;
  active: boolean;
}

// scrypt with N=2^15: a deliberately slow hash (~50 ms), salted per user.
const PARAMS = { N: 32768, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };

export async function hashPassword(password: string): Promise<string> {
  const salt = crypto.randomBytes(16);
  const key = await scrypt(password.normalize('NFC'), salt, 32, PARAMS);
  return `scrypt$${PARAMS.N}$${PARAMS.r}$${PARAMS.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, key] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !key) return false;
  const expected = Buffer.from(key, 'base64');
  const actual = await scrypt(password.normalize('NFC'), Buffer.from(salt, 'base64'), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
    maxmem: PARAMS.maxmem,
  });
  return crypto.timingSafeEqual(expected, actual);
}

let dummyHash: Promise<string> | null = null;
/**
 * For a login with an unknown or disabled username: the same scrypt work as checking a real password (always
 * false), so the answer time does not tell whether a username exists.
 */
export async function verifyPasswordOfUnknownUser(password: string): Promise<false> {
  dummyHash ??= hashPassword(crypto.randomBytes(16).toString('hex'));
  await verifyPassword(password, await dummyHash);
  return false;
}

function toUser(row: any): User {
  return {
    id: row.id,
    username: row.username,
    displayName: row.display_name,
    email: row.email ?? null,
    role: row.role,
    unitCode: row.unit_code ?? null,
    active: Boolean(row.active),
  };
}

export class UserInputError extends PanoError {
  constructor(message: string) {
    super(message, { code: 'user_invalid' });
  }
}

export async function createUser(
  db: AppDb,
  input: { username: string; password: string; role: string; unitCode?: string | null; displayName?: string; email?: string | null },
): Promise<User> {
  if (!/^[a-z0-9._-]{2,64}$/.test(input.username)) throw new UserInputError(`Invalid username "${input.username}": use 2–64 of a-z 0-9 . _ -`);
  if (!ROLES.includes(input.role as Role)) throw new UserInputError(`Unknown role "${input.role}": use one of ${ROLES.join(', ')}`);
  if (input.role === 'birim' && !input.unitCode) throw new UserInputError('A birim user needs --unit <unit code>');
  if (input.unitCode && !unitByCode(input.unitCode)) throw new UserInputError(`Unknown unit code "${input.unitCode}"`);
  if (input.password.length < 8) throw new UserInputError('The password must be at least 8 characters');
  if (await db('users').where({ username: input.username }).first()) throw new UserInputError(`User "${input.username}" already exists`);
  const [id] = await db('users')
    .insert({
      username: input.username,
      display_name: input.displayName ?? input.username,
      email: input.email ?? null,
      password_hash: await hashPassword(input.password),
      role: input.role,
      unit_code: input.unitCode ?? null,
    })
    .returning('id')
    .then((rows) => rows.map((r: any) => (typeof r === 'object' ? r.id : r)));
  return toUser(await db('users').where({ id }).first());
}

export async function findUser(db: AppDb, username: string): Promise<(User & { passwordHash: string }) | null> {
  const row = await db('users').where({ username }).first();
  return row ? { ...toUser(row), passwordHash: row.password_hash } : null;
}

/**
 * Disables or re-enables a user. Disabling also ends every token the user holds (`tokens_valid_after`): the API
 * refuses them within seconds, on every server sharing the app database. Returns false for an unknown user.
 */
export async function setUserActive(db: AppDb, username: string, active: boolean, at = new Date()): Promise<boolean> {
  const changes: Record<string, unknown> = { active };
  if (!active) changes.tokens_valid_after = at;
  return (await db('users').where({ username }).update(changes)) > 0;
}

export async function listUsers(db: AppDb): Promise<User[]> {
  return (await db('users').orderBy('username')).map(toUser);
}

/** The demo logins printed by `pano demo`/`npm start`: one per role. Demo only — never in production. */
export const DEMO_USERS = [
  {
    username: 'yonetim',
    password: 'yonetim-demo',
    role: 'yonetim',
    displayName: 'Ayşe Yılmaz (Başkan Yardımcısı)',
    email: 'baskan.yardimcisi@sultanbeyli.bel.tr',
    unitCode: null,
  },
  {
    username: 'mudur',
    password: 'mudur-demo',
    role: 'mudur',
    displayName: 'Mehmet Öztürk (Bilgi İşlem Müdürü)',
    email: 'mudur@sultanbeyli.bel.tr',
    unitCode: 'BILGI_ISLEM',
  },
  {
    username: 'analist',
    password: 'analist-demo',
    role: 'analist',
    displayName: 'Zeynep Çelik (İş Zekâsı ve Raporlama Uzmanı)',
    email: 'analist@sultanbeyli.bel.tr',
    unitCode: 'BILGI_ISLEM',
  },
  {
    username: 'birim',
    password: 'birim-demo',
    role: 'birim',
    displayName: 'Hasan Şahin (Fen İşleri Müdürlüğü)',
    email: 'fen@sultanbeyli.bel.tr',
    unitCode: 'FEN_ISLERI',
  },
  { username: 'admin', password: 'admin-demo', role: 'admin', displayName: 'Sistem Yöneticisi', email: 'admin@sultanbeyli.bel.tr', unitCode: 'BILGI_ISLEM' },
] as const;

export async function seedDemoUsers(db: AppDb, directorEmail?: string): Promise<void> {
  for (const u of DEMO_USERS) {
    if (await db('users').where({ username: u.username }).first()) continue;
    await createUser(db, { ...u, email: u.username === 'mudur' && directorEmail ? directorEmail : u.email });
  }
}
