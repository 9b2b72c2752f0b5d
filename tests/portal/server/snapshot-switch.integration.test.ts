import { afterAll, beforeAll, expect, it } from 'vitest';
import { M } from '../../../common/definitions/kpi/helpdesk.js';
import { silentLogger } from '../../../common/logger.js';
import { runConfiguredEtl } from '../../../etl/index.js';
import { startServer, type RunningServer } from '../../../portal/server/index.js';
import { createPanoEnv, login, TEST_NOW, type PanoTestEnv } from '../../helpers/pano-env.js';

let env: PanoTestEnv;
let server: RunningServer;

beforeAll(async () => {
  env = await createPanoEnv({ env: { PANO_SNAPSHOTS_KEEP: '2' } });
  server = await startServer(env.config, silentLogger, { port: 0 });
});
afterAll(async () => {
  await server?.close();
  env?.cleanup();
});

it('queries keep succeeding while new snapshots are published, and the server moves to the newest', async () => {
  const token = await login(server.url, 'mudur');
  const first = server.reader.manifest()!.snapshotId;
  let stop = false;
  const seen = new Set<string>();
  const failures: string[] = [];
  let ok = 0;
  const client = async (i: number) => {
    while (!stop) {
      // a different query each time, so answers come from DuckDB and not from the cache
      const res = await fetch(`${server.url}/cubejs-api/v1/load`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: token },
        body: JSON.stringify({
          queryType: 'multi',
          query: { measures: [M.ticketCount], filters: [{ member: 'yardim_masasi.ticket_id', operator: 'gt', values: [String((ok + i) % 500)] }] },
        }),
      });
      const body = await res.json();
      if (res.status !== 200) failures.push(`${res.status} ${JSON.stringify(body)}`);
      else {
        ok++;
        seen.add(body.results[0].pano.snapshotId);
      }
    }
  };
  const clients = [0, 1, 2, 3].map(client);
  for (let i = 0; i < 3; i++) {
    const r = await runConfiguredEtl(env.config, silentLogger, { now: () => TEST_NOW, sources: ['helpdesk'] });
    expect(r.manifest).not.toBeNull();
  }
  // give the reader a moment to notice the last publish, then stop the clients
  const deadline = Date.now() + 10_000;
  while (seen.size < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  await new Promise((r) => setTimeout(r, 500));
  stop = true;
  await Promise.all(clients);
  expect(failures).toEqual([]);
  expect(ok).toBeGreaterThan(20);
  expect(seen.size).toBeGreaterThan(1);
  await server.reader.refresh(true);
  expect(server.reader.manifest()!.snapshotId).not.toBe(first);
});
