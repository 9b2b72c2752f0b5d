import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { silentLogger } from '../../common/logger.js';
import { runConfiguredEtl, SnapshotStore } from '../../etl/index.js';
import { createPanoEnv, TEST_NOW, type PanoTestEnv } from '../helpers/pano-env.js';

let env: PanoTestEnv | undefined;
afterEach(() => env?.cleanup());

/** Starts `pano etl run --full` in a child process and kills it with SIGKILL once it is building a snapshot. */
async function killMidRun(dataDir: string): Promise<boolean> {
  const child = spawn(process.execPath, ['bin/pano.js', 'etl', 'run', '--full', '--source', 'helpdesk', '--no-progress'], {
    env: { ...process.env, PANO_MODE: 'demo', PANO_DATA_DIR: dataDir, PANO_LOG_LEVEL: 'silent' },
    stdio: 'ignore',
  });
  const snapshots = path.join(dataDir, 'warehouse', 'snapshots');
  const deadline = Date.now() + 60_000;
  let building = false;
  while (Date.now() < deadline && !building) {
    building = fs.existsSync(snapshots) && fs.readdirSync(snapshots).some((f) => f.includes('.building'));
    if (!building) await new Promise((r) => setTimeout(r, 10));
  }
  const exited = child.exitCode !== null;
  child.kill('SIGKILL');
  await new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r(null) : child.once('exit', r)));
  return building && !exited;
}

it('kill -9 in the middle of a run: the last good snapshot keeps serving and the next run loads everything', async () => {
  env = await createPanoEnv({ scale: 0.3 });
  const store = new SnapshotStore(env.config.warehouse.dir);
  const before = store.current()!;
  expect(await killMidRun(env.dir)).toBe(true); // it was killed while building, not after it finished
  // the killed run left at most an unpublished build behind; readers still see the previous snapshot
  expect(store.current()!.snapshotId).toBe(before.snapshotId);
  expect(fs.existsSync(store.pathOf(before))).toBe(true);
  const after = await runConfiguredEtl(env.config, silentLogger, { now: () => TEST_NOW, sources: ['helpdesk'] });
  expect(after.manifest).not.toBeNull();
  expect(after.sources[0].rowsLoaded).toBe(before.sources[0].rowsLoaded);
  expect(fs.readdirSync(path.join(env.config.warehouse.dir, 'snapshots')).some((f) => f.includes('.building'))).toBe(false);
});
