import path from 'node:path';
import { type FileReadCheck, type Validated, unreadFile } from '../../source.js';
import type { VeeamColumnMap } from './column-map.js';
import { prepareVeeamFile, readVeeamFile, type VeeamFileContext, type VeeamFileReport, type VeeamRecord } from './veeam-extract.js';
import { validateVeeamRow } from './veeam-rows.js';

/**
 * `pano etl check-file` for one Veeam export: the file read exactly as a run reads it (the same reader, the
 * same row rules), counted and described, nothing written anywhere.
 */

export interface VeeamFileCheck extends FileReadCheck {
  /** True when the header is a shape Pano knows (the file is a Veeam export, readable or not). */
  recognised: boolean;
  shape: string | null;
  shapeTitle: string | null;
  culture: string | null;
}

export interface CheckVeeamFileOptions {
  /** The Veeam server's zone (PANO_VEEAM_TIMEZONE). */
  timezone: string;
  columnMap?: VeeamColumnMap;
  /** The row rules of a run (the configured source's validate, duplicates included); default validateVeeamRow. */
  validate?: (record: VeeamRecord) => Validated;
  /** How many refused lines to keep (default 5). */
  maxRejects?: number;
}

export async function checkVeeamFile(file: string, opts: CheckVeeamFileOptions): Promise<VeeamFileCheck> {
  const full = path.resolve(file);
  const name = path.basename(full);
  const maxRejects = opts.maxRejects ?? 5;
  const validate =
    opts.validate ??
    ((r: VeeamRecord): Validated => (r.kind === 'row' ? toValidated(validateVeeamRow(r.ctx, r.values, opts.timezone)) : { ok: false, reason: reasonOf(r) }));
  const out: VeeamFileCheck = {
    ...unreadFile(),
    recognised: false,
    shape: null,
    shapeTitle: null,
    culture: null,
  };
  const prepared = await prepareVeeamFile(path.dirname(full), name, new Map());
  let report: VeeamFileReport = prepared.report;
  let ctx: VeeamFileContext | null = null;
  const records: AsyncIterable<VeeamRecord[]> | VeeamRecord[][] =
    prepared.kind === 'done'
      ? [prepared.records]
      : readVeeamFile(prepared, 5000, (r) => (report = r), { columnMap: opts.columnMap, onContext: (c) => (ctx = c) });
  if (prepared.kind === 'read') out.delimiter = prepared.delimiter;
  for await (const batch of records) {
    for (const r of batch) {
      if (r.kind === 'file_error') {
        out.refused ??= r.reason;
        continue;
      }
      out.rows++;
      const v = validate(r);
      if (v.ok) out.valid++;
      else {
        out.rejected++;
        if (out.rejects.length < maxRejects)
          out.rejects.push({ locator: r.kind === 'row' || r.kind === 'parse_error' ? `${r.file}:line ${r.line}` : r.file, reason: v.reason });
      }
    }
  }
  out.encoding = report.encoding;
  out.culture = report.culture;
  if (report.outcome === 'refused') out.refused ??= report.reason ?? 'refused';
  const c = ctx as VeeamFileContext | null;
  if (c) {
    out.recognised = true;
    out.shape = c.shape.def.shape;
    out.shapeTitle = c.shape.def.title;
  }
  if (opts.columnMap) {
    const used = new Set((c?.shape.mapped ?? []).map((m) => m.header.toLowerCase()));
    out.mapping = {
      file: opts.columnMap.file,
      columns: c?.shape.mapped ?? [],
      unused: opts.columnMap.columns.filter((m) => !used.has(m.header.toLowerCase())).map((m) => m.header),
      values: [...opts.columnMap.values].flatMap(([field, map]) => map.entries.map((e) => ({ field, from: e.from, to: e.to }))),
    };
  }
  return out;
}

function toValidated(v: ReturnType<typeof validateVeeamRow>): Validated {
  return v.ok ? { ok: true, row: v.session as unknown as Record<string, unknown> } : v;
}

function reasonOf(r: VeeamRecord): string {
  return 'reason' in r ? r.reason : r.kind === 'duplicate_file' ? `${r.file} is the same file as ${r.sameAs}` : 'not a Veeam export record';
}
