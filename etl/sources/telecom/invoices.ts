import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { redactTcknInRecord, redactTcknInText } from '../../../common/kvkk.js';
import { SourceUnavailableError, errorMessage } from '../../../common/errors.js';
import { parseInvoiceFile, type ParsedFile, type ParseSettings } from './invoice-file.js';
import type { LineRecord } from './invoice-rows.js';
import type { NdjsonSpool } from './spool.js';

/**
 * Reads an e-Fatura inbox export: every *.xml under a folder (recursively, in path order), each invoice
 * once. I/O and bookkeeping only; the XML is read by ubl.ts and turned into rows by invoice-rows.ts.
 *
 * - The same file twice (same SHA-256, any name) is read once; the copy is recorded as `duplicate_file`.
 * - The same invoice twice (same UUID/ETTN in another file) is loaded once, from the first file in path
 *   order; the other is recorded as `duplicate_invoice`.
 * - A file that is not well-formed XML is refused with the parser's message (→ quarantine) and recorded
 *   as `malformed`; the other files go on.
 * - A well-formed file without an invoice (e.g. an ApplicationResponse) is recorded as `not_invoice`.
 * - An invoice that lacks what Pano needs (UUID, date, totals …) is refused with every reason.
 *
 * Invoice headers, tax subtotals and the per-file manifest go to the spool (tables `invoices`,
 * `invoice_taxes`, `invoice_files`); invoice lines are yielded to the runner in batches. Parsing (the costly
 * part) runs in worker threads when there are many files (invoice-file.ts, invoice-worker.ts).
 */

export interface FileProblemRecord {
  kind: 'file';
  file: string;
  sha256: string | null;
  sizeBytes: number | null;
  reason: string;
}

export interface InvoiceProblemRecord {
  kind: 'invoice';
  file: string;
  invoiceUuid: string | null;
  invoiceNo: string | null;
  issueDate: string | null;
  lineCount: number;
  payableAmount: number | null;
  reason: string;
}

export type InvoiceStreamRecord = LineRecord | FileProblemRecord | InvoiceProblemRecord;

export type FileStatus = 'loaded' | 'partly_loaded' | 'duplicate_file' | 'duplicate_invoice' | 'malformed' | 'not_invoice' | 'refused' | 'unreadable';

export interface ReadInvoiceFolderOptions {
  dir: string;
  kvkkSecret: string;
  timezone: string;
  spool: NdjsonSpool;
  batchSize?: number;
  /** Worker threads for parsing; default: cores − 1 (max 4) for 16 files or more. 0 parses in-process. */
  workers?: number;
}

/** Every *.xml file under `dir`, relative paths with '/', sorted (byte order, so the order never depends on the locale). */
export function listXmlFiles(dir: string): string[] {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(dir);
  } catch (e) {
    throw new SourceUnavailableError(`Telecom invoice folder ${dir} cannot be read: ${errorMessage(e)}`, e);
  }
  if (!stat.isDirectory()) throw new SourceUnavailableError(`Telecom invoice folder ${dir} is not a folder`);
  const out: string[] = [];
  const walk = (rel: string) => {
    const abs = path.join(dir, rel);
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(abs, { withFileTypes: true });
    } catch (e) {
      throw new SourceUnavailableError(`Telecom invoice folder ${abs} cannot be read: ${errorMessage(e)}`, e);
    }
    for (const e of entries) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      let isDir = e.isDirectory();
      let isFile = e.isFile();
      if (e.isSymbolicLink()) {
        try {
          const st = fs.statSync(path.join(dir, r));
          isDir = st.isDirectory();
          isFile = st.isFile();
        } catch {
          continue; // a dangling link holds nothing to load
        }
      }
      if (isDir) walk(r);
      else if (isFile && /\.xml$/i.test(e.name)) out.push(r);
    }
  };
  walk('');
  return out.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

export async function* readInvoiceFolder(opts: ReadInvoiceFolderOptions): AsyncGenerator<InvoiceStreamRecord[]> {
  const files = listXmlFiles(opts.dir);
  const batchSize = opts.batchSize ?? 5000;
  const settings: ParseSettings = { kvkkSecret: opts.kvkkSecret, timezone: opts.timezone };
  const wanted = opts.workers ?? defaultWorkers(files.length);
  const pool = wanted > 0 ? await WorkerPool.start(wanted, settings) : null;
  const parse: (file: string) => Promise<FileResult> = pool
    ? (file) => pool.run(file, path.join(opts.dir, file))
    : (file) => parseInProcess(file, path.join(opts.dir, file), settings);
  // Files are parsed ahead (in workers, or read ahead in-process) but handled strictly in path order,
  // so which copy of a duplicate is kept never depends on timing. While the file it needs next is still in a
  // worker, the main thread parses a later file itself instead of waiting idle.
  const window = pool ? pool.size * 4 : 2;
  const results = new Map<number, Promise<FileResult> | FileResult>();
  const ready = new Set<number>();
  let nextToStart = 0;
  let inFlight = 0;
  let current = 0; // the file handled now: nothing is parsed more than MAX_AHEAD files past it
  const fill = () => {
    while (nextToStart < files.length && inFlight < window && nextToStart - current < MAX_AHEAD) {
      const idx = nextToStart++;
      inFlight++;
      results.set(
        idx,
        parse(files[idx]).then((r) => {
          inFlight--;
          ready.add(idx);
          return r;
        }),
      );
    }
  };
  const steal = async (needed: number) => {
    while (pool && !ready.has(needed) && nextToStart < files.length && nextToStart - needed < MAX_AHEAD) {
      const idx = nextToStart++;
      results.set(idx, parseSync(files[idx], path.join(opts.dir, files[idx]), settings));
      ready.add(idx);
      await new Promise<void>((r) => setImmediate(r)); // let finished workers' messages in
      fill();
    }
  };
  const take = async (idx: number): Promise<FileResult> => {
    current = idx;
    fill();
    await steal(idx);
    const r = await results.get(idx)!;
    results.delete(idx);
    ready.delete(idx);
    fill();
    return r;
  };

  const byHash = new Map<string, string>();
  const byUuid = new Map<string, string>();
  let batch: InvoiceStreamRecord[] = [];
  try {
    for (let i = 0; i < files.length; i++) {
      const file = files[i];
      const result = await take(i);
      const manifest = (status: FileStatus, extra: Record<string, unknown> = {}) =>
        opts.spool.write('invoice_files', { file, status, invoice_count: 0, invoice_uuids: null, duplicate_of: null, message: null, ...extra });

      if ('unreadable' in result || 'failed' in result) {
        const reason = 'unreadable' in result ? `cannot read the file: ${result.unreadable}` : `cannot be read as UBL-TR: ${result.failed}`;
        batch.push({ kind: 'file', file, sha256: null, sizeBytes: null, reason: redactTcknInText(reason) });
        manifest('unreadable', { message: redactTcknInText(reason) });
        continue;
      }
      const parsed = result.parsed;
      const fileInfo = { sha256: parsed.sha256, size_bytes: parsed.sizeBytes };
      const original = byHash.get(parsed.sha256);
      if (original !== undefined) {
        manifest('duplicate_file', { ...fileInfo, duplicate_of: original, message: `same content as ${original}; loaded once` });
        continue;
      }
      byHash.set(parsed.sha256, file);
      if (parsed.kind === 'malformed') {
        batch.push({ kind: 'file', file, sha256: parsed.sha256, sizeBytes: parsed.sizeBytes, reason: parsed.reason });
        manifest('malformed', { ...fileInfo, message: parsed.reason });
        continue;
      }
      if (parsed.kind === 'not_invoice') {
        manifest('not_invoice', { ...fileInfo, message: `root element ${parsed.root} is not a UBL-TR Invoice (Invoice-2); nothing to load` });
        continue;
      }

      const loaded: string[] = [];
      const duplicates: Array<{ uuid: string; first: string }> = [];
      let refused = 0;
      for (const inv of parsed.invoices) {
        if (!inv.rows || !inv.uuid) {
          refused++;
          batch.push({
            kind: 'invoice',
            file,
            invoiceUuid: inv.uuid,
            invoiceNo: inv.invoiceNo,
            issueDate: inv.issueDate,
            lineCount: inv.lineCount,
            payableAmount: inv.payableAmount,
            reason: inv.problems.join('; '),
          });
          continue;
        }
        const first = byUuid.get(inv.uuid);
        if (first !== undefined) {
          duplicates.push({ uuid: inv.uuid, first });
          continue;
        }
        byUuid.set(inv.uuid, file);
        opts.spool.write('invoices', inv.rows.invoice);
        for (const t of inv.rows.taxes) opts.spool.write('invoice_taxes', t);
        for (const l of inv.rows.lines) batch.push(l);
        loaded.push(inv.uuid);
      }
      const total = parsed.invoices.length;
      const status: FileStatus =
        loaded.length === total ? 'loaded' : loaded.length > 0 ? 'partly_loaded' : duplicates.length > 0 && refused === 0 ? 'duplicate_invoice' : 'refused';
      const message = [
        duplicates.length ? `invoice already loaded from another file: ${duplicates.map((d) => `${d.uuid} (from ${d.first})`).join(', ')}` : null,
        refused ? `${refused} of ${total} invoice(s) refused (see quarantine)` : null,
      ]
        .filter(Boolean)
        .join('; ');
      manifest(status, {
        ...fileInfo,
        invoice_count: total,
        invoice_uuids: loaded.join(',') || null,
        duplicate_of: duplicates.length ? [...new Set(duplicates.map((d) => d.first))].join(',') : null,
        message: message || null,
      });
      if (batch.length >= batchSize) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length) yield batch;
  } finally {
    await Promise.allSettled(results.values());
    await pool?.close();
  }
}

type FileResult = { parsed: ParsedFile } | { unreadable: string } | { failed: string };

/** How far past the file being handled any file may be parsed, by a worker or the main thread (bounds memory). */
const MAX_AHEAD = 32;

/** Worker threads for parsing: one less than the cores (the main thread loads), at most 4, none for a few files. */
function defaultWorkers(fileCount: number): number {
  if (fileCount < 16) return 0;
  return Math.max(0, Math.min(4, os.availableParallelism() - 1));
}

/**
 * A few worker threads running invoice-worker.ts. If they cannot start (no TypeScript loader available, a
 * sandbox without threads) the reader parses in-process instead: slower, same result. A worker that dies
 * mid-run (out of memory, killed) is dropped and its files are parsed in-process: a crash never turns good
 * files into refused ones.
 */
class WorkerPool {
  private readonly waiting = new Map<number, { worker: number; file: string; abs: string; done: (r: FileResult) => void }>();
  private readonly load: number[];
  private readonly alive: boolean[];
  private nextId = 0;

  private constructor(
    private readonly workers: Worker[],
    private readonly settings: ParseSettings,
  ) {
    this.load = workers.map(() => 0);
    this.alive = workers.map(() => true);
    workers.forEach((w, i) => {
      w.on('message', (m: { id?: number } & Partial<{ json: string; unreadable: string; failed: string }>) => {
        if (m.id === undefined) return;
        const task = this.waiting.get(m.id);
        if (!task) return;
        this.waiting.delete(m.id);
        this.load[i]--;
        task.done(
          m.json !== undefined
            ? { parsed: JSON.parse(m.json) as ParsedFile }
            : m.unreadable !== undefined
              ? { unreadable: m.unreadable }
              : { failed: m.failed ?? 'worker failed' },
        );
      });
      w.on('error', () => this.drop(i));
      w.on('exit', () => this.drop(i));
    });
  }

  get size(): number {
    return this.workers.length;
  }

  static async start(n: number, settings: ParseSettings): Promise<WorkerPool | null> {
    const workers: Worker[] = [];
    try {
      const { url, execArgv } = workerEntry();
      for (let i = 0; i < n; i++) workers.push(new Worker(url, { workerData: settings, execArgv }));
      await Promise.all(
        workers.map(
          (w) =>
            new Promise<void>((resolve, reject) => {
              const timer = setTimeout(() => reject(new Error('worker did not start within 20 s')), 20_000);
              w.once('message', (m: { ready?: boolean }) => (clearTimeout(timer), m.ready ? resolve() : reject(new Error('unexpected first message'))));
              w.once('error', (e) => (clearTimeout(timer), reject(e)));
            }),
        ),
      );
      return new WorkerPool(workers, settings);
    } catch {
      await Promise.allSettled(workers.map((w) => w.terminate()));
      return null;
    }
  }

  run(file: string, abs: string): Promise<FileResult> {
    let best = -1;
    for (let i = 0; i < this.workers.length; i++) if (this.alive[i] && (best < 0 || this.load[i] < this.load[best])) best = i;
    if (best < 0) return parseInProcess(file, abs, this.settings);
    const id = this.nextId++;
    this.load[best]++;
    return new Promise((resolve) => {
      this.waiting.set(id, { worker: best, file, abs, done: resolve });
      this.workers[best].postMessage({ id, file, abs });
    });
  }

  /** A worker is gone: its unfinished files are parsed in-process. */
  private drop(i: number): void {
    if (!this.alive[i]) return;
    this.alive[i] = false;
    for (const [id, task] of this.waiting) {
      if (task.worker !== i) continue;
      this.waiting.delete(id);
      void parseInProcess(task.file, task.abs, this.settings).then(task.done);
    }
  }

  async close(): Promise<void> {
    this.alive.fill(false);
    await Promise.allSettled(this.workers.map((w) => w.terminate()));
  }
}

function parseSync(file: string, abs: string, settings: ParseSettings): FileResult {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(abs);
  } catch (e) {
    return { unreadable: errorMessage(e) };
  }
  try {
    return { parsed: parseInvoiceFile(file, bytes, settings) };
  } catch (e) {
    return { failed: errorMessage(e) };
  }
}

function parseInProcess(file: string, abs: string, settings: ParseSettings): Promise<FileResult> {
  return fs.promises.readFile(abs).then(
    (bytes) => {
      try {
        return { parsed: parseInvoiceFile(file, bytes, settings) };
      } catch (e) {
        return { failed: errorMessage(e) };
      }
    },
    (e: unknown) => ({ unreadable: errorMessage(e) }),
  );
}

/**
 * The worker's module. Run from TypeScript sources (tsx, vitest), a thread cannot import a .ts file by itself
 * (loader hooks are per thread), so it starts from a small bootstrap that registers tsx's loader first.
 */
function workerEntry(): { url: URL; execArgv: string[] | undefined } {
  const here = import.meta.url;
  if (!here.endsWith('.ts')) return { url: new URL('./invoice-worker.js', here), execArgv: undefined };
  const api = pathToFileURL(
    createRequire(here)
      .resolve('tsx/esm/api')
      .replace(/\.cjs$/, '.mjs'),
  ).href;
  const target = new URL('./invoice-worker.ts', here).href;
  const code = `const { register } = await import(${JSON.stringify(api)}); register(); await import(${JSON.stringify(target)});`;
  return { url: new URL(`data:text/javascript,${encodeURIComponent(code)}`), execArgv: undefined };
}

/** The quarantine locator of a record: the file, the invoice number, the line. Never a TC Kimlik No. */
export function invoiceLocator(r: InvoiceStreamRecord): string {
  switch (r.kind) {
    case 'file':
      return redactTcknInText(r.file);
    case 'invoice':
      return redactTcknInText(`${r.file}#${r.invoiceNo ?? r.invoiceUuid ?? '?'}`);
    case 'line':
      return redactTcknInText(`${r.file}#${r.invoiceNo ?? r.invoiceUuid}/line ${r.lineId ?? r.seq}`);
  }
}

/** What the quarantine keeps of a refused record: enough to find and judge it, TC Kimlik Nos masked. */
export function maskInvoiceRecord(r: InvoiceStreamRecord): Record<string, unknown> {
  if (r.kind === 'line') {
    const row = r.row;
    return redactTcknInRecord({
      file: r.file,
      invoice_uuid: r.invoiceUuid,
      invoice_no: r.invoiceNo,
      line_id: r.lineId,
      line_seq: r.seq,
      item_name: row.item_name,
      net_amount: row.net_amount,
      line_key: row.line_key,
      problems: r.problems,
    });
  }
  return redactTcknInRecord({ ...r });
}
