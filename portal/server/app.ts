import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import fastifyStatic from '@fastify/static';
import rateLimit from '@fastify/rate-limit';
import type { AppDb } from '../../common/db/app-db.js';
import { audit } from '../../common/db/app-db.js';
import { AuthError, PanoError, QueryError } from '../../common/errors.js';
import type { Logger } from '../../common/logger.js';
import { ROLE_LABELS, findUser, verifyPassword, type Role } from '../../common/users.js';
import { unitByCode } from '../../common/units.js';
import { ApiKeyVerifier, isApiKey } from '../../common/api-keys.js';
import { issueToken, tokenFromHeader, verifyToken } from './auth.js';
import type { RequestContext, SecurityContext } from './semantic/compiler.js';
import { CubeQueryService, freshnessOf } from './semantic/query-service.js';
import { buildCatalogue } from './semantic/model-docs.js';
import { NoSnapshotError, type Warehouse } from './warehouse/reader.js';

const here = path.dirname(fileURLToPath(import.meta.url));
export const WEB_DIST = path.resolve(here, '../web/dist');

export interface AppDeps {
  appDb: AppDb;
  reader: Warehouse;
  queries: CubeQueryService;
  logger: Logger;
  auth: { jwtSecret: string; jwtTtl: string };
  /** Login attempts per minute per client and username. */
  loginRateLimit?: number;
  webDist?: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    security?: SecurityContext;
  }
}

/** Pano's HTTP server: login, Pano's own API, Cube's REST contract, and the built portal. */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  // Fastify's own request logging stays off: Pano logs what matters (errors, logins, queries) itself.
  const httpLog = deps.logger.child({ component: 'http' });
  const app = Fastify({ logger: false, bodyLimit: 1024 * 1024 });

  await app.register(rateLimit, { global: false });

  app.setErrorHandler((err: any, req, reply) => {
    if (err instanceof AuthError) return reply.code(401).send({ error: err.message });
    if (err instanceof QueryError) return reply.code(err.status).send({ error: err.message });
    if (err instanceof NoSnapshotError) return reply.code(503).send({ error: err.message });
    if (err.statusCode === 429) return reply.code(429).send({ error: 'Çok fazla deneme: lütfen bir dakika sonra tekrar deneyin (too many attempts)' });
    if (err.validation || err.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || err.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || (err.statusCode && err.statusCode < 500)) {
      return reply.code(err.statusCode && err.statusCode < 500 ? err.statusCode : 400).send({ error: `Invalid request: ${err.message}` });
    }
    httpLog.error({ err: err.message, stack: err.stack, url: req.url }, 'http.error');
    return reply.code(500).send({ error: err instanceof PanoError ? err.message : 'Internal server error' });
  });

  // A person's JWT, or a service's API key (`pano_…`, see common/api-keys.ts) in the same header.
  const apiKeys = new ApiKeyVerifier(deps.appDb);
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
    req.security = verifyToken(token, deps.auth.jwtSecret);
  };
  const ctxOf = (req: FastifyRequest): RequestContext => ({ securityContext: req.security!, requestId: String(req.headers['x-request-id'] ?? crypto.randomUUID()) });

  // ── Pano's own API ──────────────────────────────────────────────────────────────
  app.post(
    '/api/auth/login',
    {
      config: {
        rateLimit: {
          max: deps.loginRateLimit ?? 10,
          timeWindow: '1 minute',
          keyGenerator: (req: FastifyRequest) => `${req.ip}|${String((req.body as any)?.username ?? '').toLowerCase()}`,
        },
      },
      schema: {
        body: {
          type: 'object',
          required: ['username', 'password'],
          properties: { username: { type: 'string', minLength: 1, maxLength: 64 }, password: { type: 'string', minLength: 1, maxLength: 200 } },
        },
      },
    },
    async (req, reply) => {
      const { username, password } = req.body as { username: string; password: string };
      const user = await findUser(deps.appDb, username.trim().toLowerCase());
      const ok = user && user.active ? await verifyPassword(password, user.passwordHash) : false;
      if (!user || !ok) {
        await audit(deps.appDb, username, 'auth.login.failed', { ip: req.ip });
        return reply.code(401).send({ error: 'Kullanıcı adı veya parola hatalı (invalid username or password)' });
      }
      await audit(deps.appDb, user.username, 'auth.login', { ip: req.ip });
      const token = issueToken(user, deps.auth.jwtSecret, deps.auth.jwtTtl);
      return { token, user: publicUser(user) };
    },
  );

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
        reply
          .type('application/json; charset=utf-8')
          .send(await deps.queries.loadJson(queryInput(req), ctxOf(req), { multi: queryTypeOf(req) === 'multi' })),
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
