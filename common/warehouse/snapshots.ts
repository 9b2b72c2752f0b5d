import fs from 'node:fs';
import crypto from 'node:crypto';
import path from 'node:path';

/**
 * Warehouse snapshots on disk. ETL builds each new warehouse version in its own DuckDB file and publishes it
 * by atomically replacing `current.json`; readers switch between queries. A failed or killed run leaves only
 * a `*.building` file behind, which is never visible and is cleaned up by the next run.
 *
 *   <dir>/snapshots/<id>.duckdb      published versions (the newest `keep` are kept for rollback)
 *   <dir>/snapshots/<id>.json        each version's manifest
 *   <dir>/current.json               the serving version's manifest (atomic rename)
 */
export interface SourceStatus {
  source: string;
  title: string;
  /** ok: loaded, all checks passed · warn: loaded, a warn check failed · failed: not loaded, last good data kept (or none). */
  status: 'ok' | 'warn' | 'failed';
  dataAsOf: string | null;
  rowsRead: number;
  rowsLoaded: number;
  rowsRejected: number;
  checks: Array<{ name: string; severity: 'warn' | 'fail'; passed: boolean; detail: string }>;
  checksFailed: string[];
  message?: string;
  /** The run whose data this snapshot holds for the source (differs from the snapshot's run when carried over). */
  loadedByRun: string | null;
  /** full: reloaded from scratch; incremental: changes since `watermark` applied to the previous rows. */
  mode?: 'full' | 'incremental';
  /** Time this source took in its run (extract, validate, load, checks), without the marts. */
  durationMs?: number;
  watermark?: string;
}

export interface SnapshotManifest {
  snapshotId: string;
  runId: string;
  file: string;
  publishedAt: string;
  sources: SourceStatus[];
}

/**
 * The read side of the snapshot folder: what the ETL (the writer, etl/warehouse/snapshots.ts) promises every
 * reader — the serving manifest in `current.json`, each published version's file and manifest.
 */
export class SnapshotDirectory {
  readonly dir: string;
  readonly snapshotsDir: string;
  readonly currentFile: string;

  constructor(dir: string) {
    this.dir = dir;
    this.snapshotsDir = path.join(dir, 'snapshots');
    this.currentFile = path.join(dir, 'current.json');
  }

  /** The serving snapshot's manifest, or null when nothing has been published yet. */
  current(): SnapshotManifest | null {
    try {
      return JSON.parse(fs.readFileSync(this.currentFile, 'utf8')) as SnapshotManifest;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw e;
    }
  }

  pathOf(manifest: SnapshotManifest): string {
    return path.join(this.snapshotsDir, manifest.file);
  }

  /** Published snapshots, newest first. */
  list(): SnapshotManifest[] {
    if (!fs.existsSync(this.snapshotsDir)) return [];
    // Newest publication first: by when the manifest was written (ids and clocks may be injected in tests).
    return fs
      .readdirSync(this.snapshotsDir)
      .filter((f) => f.endsWith('.json'))
      .map((f) => ({ f, at: fs.statSync(path.join(this.snapshotsDir, f)).mtimeMs }))
      .sort((a, b) => b.at - a.at || b.f.localeCompare(a.f))
      .map(({ f }) => JSON.parse(fs.readFileSync(path.join(this.snapshotsDir, f), 'utf8')) as SnapshotManifest)
      .filter((m) => fs.existsSync(path.join(this.snapshotsDir, m.file)));
  }
}

/** Write to a temp file in the same folder, fsync, rename over the target: readers see the old or the new, never half. */
export function writeFileAtomic(file: string, content: string | Buffer): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
  const fd = fs.openSync(tmp, 'w');
  try {
    fs.writeSync(fd, typeof content === 'string' ? Buffer.from(content) : content);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
  fsyncDir(path.dirname(file));
}

export function fsyncDir(dir: string): void {
  try {
    const fd = fs.openSync(dir, 'r');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    // some filesystems do not allow fsync on a directory; the rename is still atomic
  }
}
