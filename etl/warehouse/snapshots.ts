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
   * Takes the warehouse's build lock (`snapshots/build.lock`: process, its start time, host, run, start) or throws
   * EtlBusyError naming the run that holds it. A lock whose process is gone (a crashed or killed run on this
   * host), or whose PID now names another process (a different start time: the PID was reused), is taken over
   * and `tookOver` says whose it was. The lock is created with O_EXCL, so of two runs starting together one wins.
   */
  lockBuild(runId: string, now = new Date()): { release(): void; tookOver?: { holder: BuildLockHolder; state: StaleHolderState } } {
    fs.mkdirSync(this.snapshotsDir, { recursive: true });
    const file = this.buildLockFile;
    const mine: BuildLockHolder = { pid: process.pid, startTime: processStartTime(process.pid), host: os.hostname(), runId, startedAt: now.toISOString() };
    let tookOver: { holder: BuildLockHolder; state: StaleHolderState } | undefined;
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        fs.writeFileSync(file, JSON.stringify(mine), { flag: 'wx' });
        return {
          release: () => {
            // only our own lock: never one a later run took over
            if (readLockHolder(file)?.runId === runId) fs.rmSync(file, { force: true });
          },
          tookOver,
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
      } else {
        const state = holderState(holder);
        if (state === 'alive' || state === 'elsewhere') {
          throw new EtlBusyError(
            `Another ETL run is building a snapshot in ${this.dir}: ${describeHolder(holder)}. ` +
              `This run did not start; run it again when that one has finished (if that run is gone, \`pano etl unlock\` removes ${file}).`,
          );
        }
        tookOver = { holder, state };
      }
      fs.rmSync(file, { force: true }); // the run that held it is gone
    }
    throw new EtlBusyError(`Could not take the build lock ${file}: other runs keep taking it; this run did not start`);
  }

  /**
   * `pano etl unlock`: removes the build lock when its holder is gone (or its PID now names another process).
   * Refuses, naming the holder, while the holder lives on this host; for a holder on another host Pano cannot see
   * its processes, so it refuses unless `force`.
   */
  unlockBuild(opts: { force?: boolean } = {}): {
    file: string;
    removed: boolean;
    holder: BuildLockHolder | null;
    state: BuildLockState | 'unreadable' | 'none';
  } {
    const file = this.buildLockFile;
    const holder = readLockHolder(file);
    if (holder === undefined) return { file, removed: false, holder: null, state: 'none' };
    const state = holder === null ? 'unreadable' : holderState(holder);
    if (holder !== null && state === 'alive')
      throw new EtlBusyError(`The build lock ${file} is held by a live run: ${describeHolder(holder)}. Not removed; wait for that run to finish.`);
    if (holder !== null && state === 'elsewhere' && !opts.force)
      throw new EtlBusyError(
        `The build lock ${file} is held by a run on another host: ${describeHolder(holder)}. ` +
          `Pano cannot see another host's processes, so it cannot tell whether that run is still building; not removed. ` +
          `If it is gone, run \`pano etl unlock --force\`.`,
      );
    fs.rmSync(file, { force: true });
    return { file, removed: true, holder, state };
  }

  private get buildLockFile(): string {
    return path.join(this.snapshotsDir, 'build.lock');
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
  /** The process's start time (Linux: /proc/<pid>/stat field 22, clock ticks since boot); absent where unknown and in old lock files. */
  startTime?: number;
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
    if (!(Number.isInteger(h.pid) && typeof h.host === 'string' && typeof h.runId === 'string')) return null;
    if (!Number.isSafeInteger(h.startTime)) delete h.startTime; // an old lock file (or a foreign value): the kill check only
    return h;
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

/**
 * A build lock's holder: `alive` (its process runs on this host), `gone` (no such process), `reused` (the PID now
 * names another process: its start time differs from the one recorded), `elsewhere` (another host: Pano cannot tell).
 */
export type BuildLockState = 'alive' | 'gone' | 'reused' | 'elsewhere';
type StaleHolderState = Extract<BuildLockState, 'gone' | 'reused'>;

function holderState(h: BuildLockHolder): BuildLockState {
  if (h.host !== os.hostname()) return 'elsewhere';
  if (!holderAlive(h)) return 'gone';
  if (h.startTime === undefined) return 'alive'; // an old lock file: the kill check is all there is
  const live = processStartTime(h.pid);
  if (live === undefined) return 'alive'; // no /proc (or it hides the process): as before
  return live === h.startTime ? 'alive' : 'reused';
}

function describeHolder(h: BuildLockHolder): string {
  return `run ${h.runId}, process ${h.pid} on ${h.host}, since ${h.startedAt}`;
}

/** A process's start time in clock ticks since boot (/proc/<pid>/stat field 22); undefined without /proc. */
export function processStartTime(pid: number): number | undefined {
  let stat: string;
  try {
    stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // "pid (comm) state ppid …": comm may hold spaces and parentheses, so count the fields after the last ")"
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[22 - 3]);
  return Number.isSafeInteger(ticks) ? ticks : undefined;
}

/** On this host: is the process still there (kill(pid, 0))? */
function holderAlive(h: BuildLockHolder): boolean {
  if (h.pid === process.pid) return true; // this very process
  try {
    process.kill(h.pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
