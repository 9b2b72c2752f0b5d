import crypto from 'node:crypto';
import jwt from 'jsonwebtoken';
import { AuthError } from '../../common/errors.js';
import type { User } from '../../common/users.js';
import type { SecurityContext } from './semantic/index.js';

/**
 * Cube-style tokens: an HS256 JWT whose payload is the security context (roles, unit) the model's
 * access policies read. Only HS256 is accepted, so `alg: none` and key-confusion tokens are refused.
 */
// jsonwebtoken turns a string secret into a KeyObject on every call (≈ 1 ms a verify here); made once, a
// verify costs ≈ 0.03 ms — it runs on every API request.
const keys = new Map<string, crypto.KeyObject>();
function keyOf(secret: string): crypto.KeyObject {
  let k = keys.get(secret);
  if (!k) keys.set(secret, (k = crypto.createSecretKey(Buffer.from(secret, 'utf8'))));
  return k;
}

/** Each token has an id (`jti`), so a logout can end that one token (portal/server/sessions.ts). */
export function issueToken(user: Pick<User, 'username' | 'displayName' | 'role' | 'unitCode'>, secret: string, ttl: string): string {
  // iat_ms: the issue time to the millisecond (JWT's iat is in whole seconds), so a token issued just after a user
  // was disabled and enabled again is not taken for one issued before.
  const payload: SecurityContext & { iat_ms: number } = {
    sub: user.username,
    name: user.displayName,
    roles: [user.role],
    unit_code: user.unitCode,
    iat_ms: Date.now(),
  };
  return jwt.sign(payload, keyOf(secret), { algorithm: 'HS256', expiresIn: ttl as jwt.SignOptions['expiresIn'], jwtid: crypto.randomUUID() });
}

/** A verified token: the security context it carries, and its id and lifetime. */
export interface VerifiedToken {
  context: SecurityContext;
  jti: string | null;
  /** Issued-at and expiry, seconds since the epoch; issued-at also in milliseconds. */
  iat: number;
  iatMs: number;
  exp: number | null;
}

/** Reads the token from an Authorization header ("<token>" as Cube sends it, or "Bearer <token>"). */
export function tokenFromHeader(header: string | undefined): string | null {
  if (!header) return null;
  const t = header.trim();
  return t.toLowerCase().startsWith('bearer ') ? t.slice(7).trim() : t;
}

export function verifyToken(token: string | null, secret: string): VerifiedToken {
  if (!token) throw new AuthError('Authorization header is missing');
  let payload: unknown;
  try {
    payload = jwt.verify(token, keyOf(secret), { algorithms: ['HS256'] });
  } catch (e) {
    const name = (e as Error).name;
    throw new AuthError(name === 'TokenExpiredError' ? 'Token expired' : 'Invalid token');
  }
  const p = payload as Partial<SecurityContext>;
  if (!p || typeof p !== 'object' || typeof p.sub !== 'string' || !Array.isArray(p.roles) || !p.roles.every((r) => typeof r === 'string')) {
    throw new AuthError('Invalid token: the security context needs sub and roles');
  }
  const claims = payload as { jti?: unknown; iat?: unknown; iat_ms?: unknown; exp?: unknown };
  const iat = typeof claims.iat === 'number' ? claims.iat : 0;
  return {
    context: { sub: p.sub, name: p.name, roles: p.roles, unit_code: p.unit_code ?? null },
    jti: typeof claims.jti === 'string' ? claims.jti : null,
    iat,
    iatMs: typeof claims.iat_ms === 'number' ? claims.iat_ms : iat * 1000,
    exp: typeof claims.exp === 'number' ? claims.exp : null,
  };
}
