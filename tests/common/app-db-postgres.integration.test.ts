import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiKeyVerifier, createApiKey, revokeApiKey } from '../../common/api-keys.js';
import { audit, openAppDb, type AppDb } from '../../common/db/app-db.js';
import { createUser, findUser, listUsers, seedDemoUsers, verifyPassword } from '../../common/users.js';
import { createTempPgDatabase, SKIP_POSTGRES, type TempPgDatabase } from '../helpers/postgres.js';

// The app database on PostgreSQL (PANO_APP_DB_URL=postgres://…): the same migrations, users, API keys and
// audit log as on SQLite, against the real server on this machine.
describe.skipIf(SKIP_POSTGRES)('app database on PostgreSQL', () => {
  let pgdb: TempPgDatabase;
  let db: AppDb;
  beforeAll(async () => {
    pgdb = await createTempPgDatabase();
    db = await openAppDb(pgdb.url);
  });
  afterAll(async () => {
    await db?.destroy();
    await pgdb?.drop();
  });

  it('migrates to the latest schema, and again without change', async () => {
    const tables = (await db.raw(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`)).rows.map(
      (r: any) => r.table_name,
    );
    for (const t of ['users', 'etl_runs', 'quarantine', 'subscriptions', 'deliveries', 'audit_log', 'api_keys']) expect(tables).toContain(t);
    const again = await openAppDb(pgdb.url);
    expect((await again.migrate.currentVersion()) !== 'none').toBe(true);
    await again.destroy();
  });

  it('keeps users with slow password hashes and the demo users', async () => {
    await seedDemoUsers(db);
    const u = await createUser(db, { username: 'ik.uzmani', password: 'uzun-bir-parola', role: 'ik', displayName: 'İK Uzmanı' });
    expect(u.id).toBeGreaterThan(0);
    const found = await findUser(db, 'ik.uzmani');
    expect(found?.displayName).toBe('İK Uzmanı');
    expect(await verifyPassword('uzun-bir-parola', found!.passwordHash)).toBe(true);
    expect(await verifyPassword('yanlis', found!.passwordHash)).toBe(false);
    expect((await listUsers(db)).map((x) => x.username)).toEqual(expect.arrayContaining(['admin', 'birim', 'ik.uzmani', 'mudur']));
  });

  it('keeps API keys by hash and honours revocation and expiry', async () => {
    const { key } = await createApiKey(db, { name: 'pg-servis', role: 'birim', unitCode: 'FEN_ISLERI', expiresInDays: 7 });
    const verifier = new ApiKeyVerifier(db, { cacheMs: 0 });
    const ok = await verifier.verify(key);
    expect(typeof ok === 'object' && ok.unitCode).toBe('FEN_ISLERI');
    await revokeApiKey(db, 'pg-servis');
    expect(await verifier.verify(key)).toBe('revoked');
    const later = new ApiKeyVerifier(db, { cacheMs: 0, now: () => Date.now() + 8 * 86_400_000 });
    const { key: k2 } = await createApiKey(db, { name: 'pg-gecici', role: 'analist', expiresInDays: 7 });
    expect(await later.verify(k2)).toBe('expired');
    expect(await verifier.verify('pano_nope')).toBe('unknown');
  });

  it('writes the audit log', async () => {
    await audit(db, 'admin', 'apikey.create', { name: 'pg-servis' });
    const row = await db('audit_log').where({ action: 'apikey.create' }).first();
    expect(JSON.parse(row.detail_json)).toEqual({ name: 'pg-servis' });
    expect(row.at).toBeInstanceOf(Date);
  });
});
