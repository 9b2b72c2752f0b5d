import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PanoError } from '../../common/errors.js';
import { fsyncDir, SnapshotDirectory, writeFileAtomic, type SnapshotManifest } from '../../common/warehouse/snapshots.js';

export { type SnapshotManifest, type SourceStatus } from '../../common/warehouse/snapshots.js';

/**
 * The writer's side of the snapshot folder (the layout and the read side are the contract in
 * common/warehouse/snapshots.ts): a run builds each new warehouse version in its own DuckDB file and publishes it
 * by atomically replacing `current.json`; readers switch between queries. A failed or killed run leaves only
 * a `*.building` file behind, which is never visible and is cleaned up by the next run.
 */
export class SnapshotStore extends SnapshotDirectory {
  /** A new, unique snapshot id that sorts by time: 20261128T030000Z-1a2b3c. */
  static newId(now = new Date()): string {
    const stamp = now
      .toISOString()
      .replace(/[-:]/g, '')
      .replace(/\.\d+Z$/, 'Z');
    return `${stamp}-${crypto.randomBytes(3).toString('hex')}`;
  }

  /** The file a run builds into; invisible to readers until published. */
  beginBuild(snapshotId: string): string {
    fs.mkdirSync(this.snapshotsDir, { recursive: true });
    const file = path.join(this.snapshotsDir, `${snapshotId}.duckdb.building`);
    fs.rmSync(file, { force: true });
    fs.rmSync(`${file}.wal`, { force: true });
    return file;
  }

  /** Makes a finished build the serving snapshot: rename the file, write its manifest, swap current.json. */
  publish(buildFile: string, manifest: Omit<SnapshotManifest, 'file' | 'publishedAt'>, now = new Date()): SnapshotManifest {
    if (fs.existsSync(`${buildFile}.wal`)) throw new Error(`Snapshot ${buildFile} still has a WAL file: close the database before publishing`);
    const finalFile = buildFile.replace(/\.building$/, '');
    fs.renameSync(buildFile, finalFile);
    fsyncDir(this.snapshotsDir);
    const full: SnapshotManifest = { ...manifest, file: path.basename(finalFile), publishedAt: now.toISOString() };
    writeFileAtomic(path.join(this.snapshotsDir, `${manifest.snapshotId}.json`), JSON.stringify(full, null, 2));
    writeFileAtomic(this.currentFile, JSON.stringify(full, null, 2));
    return full;
  }

  /** Serves an older published snapshot again (rollback). */
  rollback(snapshotId: string): SnapshotManifest {
    const m = this.list().find((s) => s.snapshotId === snapshotId);
    if (!m) throw new Error(`No published snapshot "${snapshotId}" (see \`pano etl status\`)`);
    writeFileAtomic(this.currentFile, JSON.stringify(m, null, 2));
    return m;
  }

  /**
   * Takes the warehouse's build lock (`snapshots/build.lock`: process, host, run, start) or throws
   * EtlBusyError naming the run that holds it. A lock whose process is gone (a crashed or killed run on this
   * host) is taken over. The lock is created with O_EXCL, so of two runs starting together one wins.
   */
  lockBuild(runId: string, now = new Date()): { release(): void } {
    fs.mkdirSync(this.snapshotsDir, { recursive: true });
    const file = path.join(this.snapshotsDir, 'build.lock');
    const mine: BuildLockHolder = { pid: process.pid, host: os.hostname(), runId, startedAt: now.toISOString() };
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        fs.writeFileSync(file, JSON.stringify(mine), { flag: 'wx' });
        return {
          release: () => {
            // only our own lock: never one a later run took over
            if (readLockHolder(file)?.runId === runId) fs.rmSync(file, { force: true });
          },
        };
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      const holder = readLockHolder(file);
      if (holder === undefined) continue; // removed meanwhile: try again
      if (holder === null) {
        // unreadable: being written this very moment, or left half-written by a crash long ago
        if (Date.now() - fileMtimeMs(file) < 10_000)
          throw new EtlBusyError(`Another ETL run is starting in ${this.dir} (${file} is being written); this run did not start`);
      } else if (holderAlive(holder)) {
        throw new EtlBusyError(
          `Another ETL run is building a snapshot in ${this.dir}: run ${holder.runId}, process ${holder.pid} on ${holder.host}, since ${holder.startedAt}. ` +
            `This run did not start; run it again when that one has finished (if no such process exists any more, remove ${file}).`,
        );
      }
      fs.rmSync(file, { force: true }); // the run that held it is gone
    }
    throw new EtlBusyError(`Could not take the build lock ${file}: other runs keep taking it; this run did not start`);
  }

  /** Removes abandoned builds and all but the newest `keep` published snapshots (never the serving one). */
  prune(keep: number): string[] {
    if (!fs.existsSync(this.snapshotsDir)) return [];
    const removed: string[] = [];
    const serving = this.current()?.snapshotId;
    for (const f of fs.readdirSync(this.snapshotsDir)) {
      if (f.includes('.building')) {
        fs.rmSync(path.join(this.snapshotsDir, f), { force: true });
        removed.push(f);
      }
    }
    const published = this.list();
    for (const m of published.slice(keep)) {
      if (m.snapshotId === serving) continue;
      fs.rmSync(path.join(this.snapshotsDir, m.file), { force: true });
      fs.rmSync(path.join(this.snapshotsDir, `${m.snapshotId}.json`), { force: true });
      removed.push(m.file);
    }
    return removed;
  }
}

/** Who holds a warehouse's build lock. */
export interface BuildLockHolder {
  pid: number;
  host: string;
  runId: string;
  startedAt: string;
}

/** Another run holds the warehouse's build lock. Retrying later helps. */
export class EtlBusyError extends PanoError {
  constructor(message: string) {
    super(message, { code: 'etl_busy', retryable: true });
  }
}

/** The holder; null when the file cannot be read as one; undefined when there is no file. */
function readLockHolder(file: string): BuildLockHolder | null | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  try {
    const h = JSON.parse(text) as BuildLockHolder;
    return Number.isInteger(h.pid) && typeof h.host === 'string' && typeof h.runId === 'string' ? h : null;
  } catch {
    return null;
  }
}

function fileMtimeMs(file: string): number {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}

/** On this host: is the process still there? On another host Pano cannot tell, so it assumes so. */
function holderAlive(h: BuildLockHolder): boolean {
  if (h.host !== os.hostname()) return true;
  if (h.pid === process.pid) return true; // a run of this very process is under way
  try {
    process.kill(h.pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
