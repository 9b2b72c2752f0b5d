import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import fastifyStatic from '@fastify/static';
import helmet from '@fastify/helmet';
import type { AppDb } from '../../common/db/app-db.js';
import { audit } from '../../common/db/app-db.js';
import { AuthError, PanoError, QueryError } from '../../common/errors.js';
import type { Logger } from '../../common/logger.js';
import { ROLE_LABELS, findUser, verifyPassword, verifyPasswordOfUnknownUser, type Role } from '../../common/users.js';
import { unitByCode } from '../../common/units.js';
import { ApiKeyVerifier, isApiKey } from '../../common/api-keys.js';
import { issueToken, tokenFromHeader, verifyToken, type VerifiedToken } from './auth.js';
import { LoginGuard } from './login-guard.js';
import { SessionGuard } from './sessions.js';
import { buildCatalogue, CubeQueryService, freshnessOf, NoSnapshotError, type RequestContext, type SecurityContext, type Warehouse } from './semantic/index.js';

const here = path.dirname(fileURLToPath(import.meta.url));
export const WEB_DIST = path.resolve(here, '../web/dist');

export interface AppDeps {
  appDb: AppDb;
  reader: Warehouse;
  queries: CubeQueryService;
  logger: Logger;
  auth: { jwtSecret: string; jwtTtl: string; login?: { maxFailures: number; lockMinutes: number; ipMaxFailures: number } };
  /** Outside demo mode only these hosts are answered (DNS rebinding): the public URL's, loopback, and the listed ones. */
  hosts?: { mode: 'demo' | 'production'; publicUrl: string; allowed: string[] };
  webDist?: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    security?: SecurityContext;
    /** The person's token behind `security` (absent for API keys). */
    token?: VerifiedToken;
  }
}

/** Hosts the server always answers to: its own loopback addresses (the PDF renderer and local tools use them). */
const LOOPBACK_HOSTS = ['localhost', '127.0.0.1', '[::1]'];

function hostAllowList(hosts: NonNullable<AppDeps['hosts']>): Set<string> {
  const list = new Set([...LOOPBACK_HOSTS, ...hosts.allowed.map((h) => h.toLowerCase())]);
  try {
    list.add(new URL(hosts.publicUrl).hostname.toLowerCase());
  } catch {
    // an invalid public URL is refused by the configuration schema
  }
  return list;
}

/** Pano's HTTP server: login, Pano's own API, Cube's REST contract, and the built portal. */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  // Fastify's own request logging stays off: Pano logs what matters (errors, logins, queries) itself.
  const httpLog = deps.logger.child({ component: 'http' });
  const app = Fastify({ logger: false, bodyLimit: 1024 * 1024 });

  // Security headers (helmet): a CSP with no inline script (the Vite build has none; Tremor's charts need inline
  // styles), no framing by other sites, no MIME sniffing, the referrer kept to Pano's own origin.
  await app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:', 'blob:'],
        fontSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'same-origin' },
    // HSTS only where the public URL is https: on a plain-http intranet install it would lock browsers out.
    strictTransportSecurity: deps.hosts?.publicUrl.startsWith('https:') ? { maxAge: 180 * 24 * 3600 } : false,
    crossOriginEmbedderPolicy: false,
  });

  // DNS rebinding: outside demo mode a request whose Host is not Pano's own address is refused before anything runs.
  if (deps.hosts && deps.hosts.mode !== 'demo') {
    const allowed = hostAllowList(deps.hosts);
    app.addHook('onRequest', async (req, reply) => {
      const host = String(req.headers.host ?? '')
        .toLowerCase()
        .replace(/:\d+$/, '');
      if (!allowed.has(host)) {
        httpLog.warn({ host: req.headers.host ?? null, ip: req.ip, url: req.url }, 'http.host.refused');
        return reply.code(421).send({
          error: `Host '${req.headers.host ?? ''}' is not this Pano's address: set PANO_PUBLIC_URL or add it to PANO_ALLOWED_HOSTS`,
          code: 'host_refused',
        });
      }
    });
  }

  app.setErrorHandler((err: any, req, reply) => {
    if (err instanceof AuthError) return reply.code(401).send({ error: err.message, code: err.code });
    if (err instanceof QueryError) return reply.code(err.status).send({ error: err.message, code: err.code });
    if (err instanceof NoSnapshotError) return reply.code(503).header('retry-after', '30').send({ error: err.message, code: err.code });
    if (
      err.validation ||
      err.code === 'FST_ERR_CTP_INVALID_JSON_BODY' ||
      err.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' ||
      (err.statusCode && err.statusCode < 500)
    ) {
      return reply.code(err.statusCode && err.statusCode < 500 ? err.statusCode : 400).send({ error: `Invalid request: ${err.message}`, code: 'bad_request' });
    }
    // The JSON body parser overflowing its stack on a body nested thousands of levels deep.
    if (err instanceof RangeError && /call stack/.test(err.message)) {
      return reply.code(400).send({ error: 'Invalid request: the body is nested too deep', code: 'bad_request' });
    }
    httpLog.error({ err: err.message, stack: err.stack, url: req.url }, 'http.error');
    return reply
      .code(500)
      .send({ error: err instanceof PanoError ? err.message : 'Internal server error', code: err instanceof PanoError ? err.code : 'internal' });
  });

  // A person's JWT, or a service's API key (`pano_…`, see common/api-keys.ts) in the same header.
  const apiKeys = new ApiKeyVerifier(deps.appDb);
  const sessions = new SessionGuard(deps.appDb);
  const authenticate = async (req: FastifyRequest) => {
    const token = tokenFromHeader(req.headers.authorization);
    if (token && isApiKey(token)) {
      const key = await apiKeys.verify(token);
      if (typeof key === 'string') {
        httpLog.warn({ key_prefix: token.slice(0, 12), reason: key, ip: req.ip }, 'auth.api_key.refused');
        throw new AuthError(key === 'unknown' ? 'Invalid API key' : `API key ${key}`);
      }
      req.security = { sub: `apikey:${key.name}`, name: key.name, roles: [key.role], unit_code: key.unitCode };
      return;
    }
    const verified = verifyToken(token, deps.auth.jwtSecret);
    await sessions.check(verified);
    req.token = verified;
    req.security = verified.context;
  };
  const ctxOf = (req: FastifyRequest): RequestContext => ({
    securityContext: req.security!,
    requestId: String(req.headers['x-request-id'] ?? crypto.randomUUID()),
  });

  // ── Pano's own API ──────────────────────────────────────────────────────────────
  const loginCfg = deps.auth.login ?? { maxFailures: 5, lockMinutes: 15, ipMaxFailures: 20 };
  const logins = new LoginGuard({ maxFailures: loginCfg.maxFailures, lockMs: loginCfg.lockMinutes * 60_000, ipMaxFailures: loginCfg.ipMaxFailures });
  app.post(
    '/api/auth/login',
    {
      schema: {
        body: {
          type: 'object',
          required: ['username', 'password'],
          properties: { username: { type: 'string', minLength: 1, maxLength: 64 }, password: { type: 'string', minLength: 1, maxLength: 200 } },
        },
      },
    },
    async (req, reply) => {
      const { username: typed, password } = req.body as { username: string; password: string };
      const username = typed.trim().toLowerCase();
      const verdict = await logins.admit(username, req.ip);
      if (!verdict.ok) {
        await audit(deps.appDb, username, 'auth.login.refused', { ip: req.ip, reason: verdict.reason });
        const minutes = Math.ceil(verdict.retryAfterSeconds / 60);
        const error =
          verdict.reason === 'user_locked'
            ? `Bu kullanıcı adıyla çok fazla hatalı giriş denendi: ${minutes} dakika sonra tekrar deneyin (too many failed logins for this user; try again in ${minutes} min)`
            : `Bu adresten çok fazla giriş denemesi var: biraz sonra tekrar deneyin (too many login attempts from this address)`;
        return reply.code(429).header('retry-after', String(verdict.retryAfterSeconds)).send({ error, code: verdict.reason });
      }
      const user = await findUser(deps.appDb, username);
      // An unknown or disabled user costs the same hash as a wrong password: the answer time does not tell which.
      const ok = user && user.active ? await verifyPassword(password, user.passwordHash) : await verifyPasswordOfUnknownUser(password);
      if (!user || !ok) {
        const locked = logins.fail(username, req.ip);
        await audit(deps.appDb, username, 'auth.login.failed', { ip: req.ip, locked });
        return reply.code(401).send({ error: 'Kullanıcı adı veya parola hatalı (invalid username or password)', code: 'login_failed' });
      }
      logins.succeed(username);
      // What this server knew of the user (disabled a moment ago?) is stale now that the database says active.
      sessions.forgetUser(user.username);
      await audit(deps.appDb, user.username, 'auth.login', { ip: req.ip });
      const token = issueToken(user, deps.auth.jwtSecret, deps.auth.jwtTtl);
      return { token, user: publicUser(user) };
    },
  );

  // Logout ends the token itself, not only the browser's copy of it.
  app.post('/api/auth/logout', { preHandler: authenticate }, async (req) => {
    if (req.token) {
      await sessions.revoke(req.token);
      await audit(deps.appDb, req.security!.sub, 'auth.logout', { ip: req.ip });
    }
    return { ok: true };
  });

  app.get('/api/me', { preHandler: authenticate }, async (req) => {
    const user = await findUser(deps.appDb, req.security!.sub);
    if (!user || !user.active) throw new AuthError('User no longer exists or is disabled');
    return { user: publicUser(user) };
  });

  app.get('/api/snapshot', { preHandler: authenticate }, async (_req, reply) => {
    await deps.reader.refresh(true);
    const m = deps.reader.manifest();
    if (!m) return reply.code(404).send({ error: 'Henüz yayımlanmış veri yok: önce `pano etl run` çalıştırın (no warehouse snapshot yet)' });
    return freshnessOf(m);
  });

  // KPI catalogue (`pano model docs`): the measures of the views the caller's role may see in /meta.
  app.get('/api/model/catalogue', { preHandler: authenticate }, async (req) => buildCatalogue(await deps.queries.meta(ctxOf(req))));

  app.get('/api/health', async () => ({ status: 'ok', snapshot: deps.reader.manifest()?.snapshotId ?? null }));

  // ── Cube REST API contract ──────────────────────────────────────────────────────
  const queryInput = (req: FastifyRequest) => {
    const q = req.method === 'GET' ? (req.query as any)?.query : (req.body as any)?.query;
    if (q === undefined) throw new QueryError('Query param is required');
    return q;
  };
  const queryTypeOf = (req: FastifyRequest) => (req.method === 'GET' ? (req.query as any)?.queryType : (req.body as any)?.queryType);

  for (const method of ['GET', 'POST'] as const) {
    app.route({
      method,
      url: '/cubejs-api/v1/load',
      preHandler: authenticate,
      handler: async (req, reply) =>
        reply.type('application/json; charset=utf-8').send(await deps.queries.loadJson(queryInput(req), ctxOf(req), { multi: queryTypeOf(req) === 'multi' })),
    });
    app.route({ method, url: '/cubejs-api/v1/sql', preHandler: authenticate, handler: async (req) => deps.queries.sql(queryInput(req), ctxOf(req)) });
    app.route({ method, url: '/cubejs-api/v1/dry-run', preHandler: authenticate, handler: async (req) => deps.queries.dryRun(queryInput(req), ctxOf(req)) });
  }
  app.get('/cubejs-api/v1/meta', { preHandler: authenticate }, async (req) => deps.queries.meta(ctxOf(req)));
  app.all('/cubejs-api/*', async (req, reply) => reply.code(404).send({ error: `Unknown Cube API endpoint: ${req.method} ${req.url.split('?')[0]}` }));
  app.all('/api/*', async (req, reply) => reply.code(404).send({ error: `Unknown API endpoint: ${req.method} ${req.url.split('?')[0]}` }));

  // ── The portal (built by Vite) ──────────────────────────────────────────────────
  const dist = deps.webDist ?? WEB_DIST;
  if (fs.existsSync(path.join(dist, 'index.html'))) {
    await app.register(fastifyStatic, { root: dist, wildcard: false, index: false });
    const indexHtml = fs.readFileSync(path.join(dist, 'index.html'));
    app.get('/*', async (req, reply) => {
      const rel = decodeURIComponent(req.url.split('?')[0]).replace(/^\/+/, '');
      const file = path.join(dist, rel);
      if (rel && file.startsWith(dist) && fs.existsSync(file) && fs.statSync(file).isFile()) return reply.sendFile(rel);
      return reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(indexHtml);
    });
  } else {
    app.get('/*', async (_req, reply) =>
      reply.code(503).type('text/plain; charset=utf-8').send('Portal is not built: run `npm run build:portal` (Portal derlenmemiş).'),
    );
  }
  return app;
}

function publicUser(user: { username: string; displayName: string; role: Role; unitCode: string | null }) {
  return {
    username: user.username,
    displayName: user.displayName,
    role: user.role,
    roleLabel: ROLE_LABELS[user.role] ?? user.role,
    unitCode: user.unitCode,
    unitName: user.unitCode ? (unitByCode(user.unitCode)?.name ?? user.unitCode) : null,
  };
}
