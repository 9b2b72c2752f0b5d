import crypto from 'node:crypto';
import type { AppDb } from './db/app-db.js';
import { ROLES, type Role } from './definitions/roles.js';
import { unitByCode } from './units.js';
import { UserInputError } from './users.js';

/**
 * API keys for services: another system or a script that reads Pano's API without a person's login.
 * A key carries one role (and a unit for birim), exactly like a user, so the model's access policies
 * treat it the same way. Keys are 32 random bytes, shown once; the app database keeps only their SHA-256
 * (a key is high-entropy, so a fast hash is enough — unlike passwords). Keys can expire and be revoked.
 */

export const API_KEY_PREFIX = 'pano_';

export interface ApiKey {
  id: number;
  name: string;
  keyPrefix: string;
  role: Role;
  unitCode: string | null;
  createdBy: string | null;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export const isApiKey = (token: string): boolean => token.startsWith(API_KEY_PREFIX);
const hashKey = (key: string) => crypto.createHash('sha256').update(key, 'utf8').digest('hex');
const iso = (v: unknown): string | null => (v == null ? null : new Date(v as string).toISOString());

function toApiKey(row: any): ApiKey {
  return {
    id: row.id,
    name: row.name,
    keyPrefix: row.key_prefix,
    role: row.role,
    unitCode: row.unit_code ?? null,
    createdBy: row.created_by ?? null,
    createdAt: iso(row.created_at)!,
    expiresAt: iso(row.expires_at),
    lastUsedAt: iso(row.last_used_at),
    revokedAt: iso(row.revoked_at),
  };
}

/** Creates a key and returns it with the only copy of the secret. */
export async function createApiKey(
  db: AppDb,
  input: { name: string; role: string; unitCode?: string | null; createdBy?: string | null; expiresInDays?: number | null },
): Promise<{ apiKey: ApiKey; key: string }> {
  if (!/^[a-z0-9._-]{2,64}$/.test(input.name)) throw new UserInputError(`Invalid key name "${input.name}": use 2–64 of a-z 0-9 . _ -`);
  if (!ROLES.includes(input.role as Role)) throw new UserInputError(`Unknown role "${input.role}": use one of ${ROLES.join(', ')}`);
  if (input.role === 'birim' && !input.unitCode) throw new UserInputError('A birim key needs --unit <unit code>');
  if (input.unitCode && !unitByCode(input.unitCode)) throw new UserInputError(`Unknown unit code "${input.unitCode}"`);
  if (input.expiresInDays != null && !(Number.isInteger(input.expiresInDays) && input.expiresInDays > 0)) {
    throw new UserInputError(`--expires must be a positive number of days, got "${input.expiresInDays}"`);
  }
  if (await db('api_keys').where({ name: input.name }).first()) throw new UserInputError(`API key "${input.name}" already exists`);
  const key = API_KEY_PREFIX + crypto.randomBytes(32).toString('base64url');
  const expiresAt = input.expiresInDays ? new Date(Date.now() + input.expiresInDays * 86_400_000) : null;
  await db('api_keys').insert({
    name: input.name,
    key_prefix: key.slice(0, 12),
    key_hash: hashKey(key),
    role: input.role,
    unit_code: input.unitCode ?? null,
    created_by: input.createdBy ?? null,
    expires_at: expiresAt,
  });
  return { apiKey: toApiKey(await db('api_keys').where({ name: input.name }).first()), key };
}

export async function listApiKeys(db: AppDb): Promise<ApiKey[]> {
  return (await db('api_keys').orderBy('name')).map(toApiKey);
}

/** Revokes a key by name; returns false when there is no such (unrevoked) key. */
export async function revokeApiKey(db: AppDb, name: string): Promise<boolean> {
  const n = await db('api_keys').where({ name }).whereNull('revoked_at').update({ revoked_at: new Date() });
  return n > 0;
}

/** Why a presented key is not accepted; the message names the key's prefix, never the key. */
export type ApiKeyRejection = 'unknown' | 'revoked' | 'expired';

/**
 * Looks a presented key up: the ApiKey when it is valid now, else the reason. Records use
 * (last_used_at) at most once a minute per key, so busy services do not write on every request.
 */
export class ApiKeyVerifier {
  private cache = new Map<string, { row: any; at: number }>();
  private touched = new Map<number, number>();

  constructor(
    private readonly db: AppDb,
    private readonly opts: { cacheMs?: number; now?: () => number } = {},
  ) {}

  async verify(key: string): Promise<ApiKey | ApiKeyRejection> {
    const now = this.opts.now?.() ?? Date.now();
    const hash = hashKey(key);
    let hit = this.cache.get(hash);
    if (!hit || now - hit.at > (this.opts.cacheMs ?? 30_000)) {
      hit = { row: (await this.db('api_keys').where({ key_hash: hash }).first()) ?? null, at: now };
      this.cache.set(hash, hit);
      if (this.cache.size > 1000) this.cache.delete(this.cache.keys().next().value!);
    }
    const row = hit.row;
    if (!row) return 'unknown';
    if (row.revoked_at) return 'revoked';
    if (row.expires_at && new Date(row.expires_at).getTime() <= now) return 'expired';
    if (now - (this.touched.get(row.id) ?? 0) > 60_000) {
      this.touched.set(row.id, now);
      void this.db('api_keys')
        .where({ id: row.id })
        .update({ last_used_at: new Date(now) })
        .catch(() => undefined);
    }
    return toApiKey(row);
  }

  /** Forget cached lookups (after a revoke through this process). */
  clear(): void {
    this.cache.clear();
  }
}
