import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { SourceUnavailableError, errorMessage } from '../../../common/errors.js';
import type { HrColumnMap } from './column-map.js';
import { readCsvExport, type CsvDelimiter, type CsvEncoding } from './csv.js';
import { HrExportError } from './errors.js';
import type { HrKind } from './headers.js';
import type { HrRecord } from './records.js';
import { foldText } from './text.js';
import { readXlsxExport } from './xlsx.js';

/**
 * The export folder: which files hold which stream, found by name. Several files of one kind
 * (e.g. personel-memur.xlsx and personel-isci.csv, or izin-2025.csv and izin-2026.csv) are read in
 * name order as one stream. A file whose content is identical to one already read (a copy such as
 * 'personel (1).csv') is skipped and reported.
 */

/** File-name beginnings per stream, compared after folding ('Hizmet İçi Eğitim 2026.xlsx' → 'hizmet ici egitim 2026'). */
export const FILE_PATTERNS: Record<HrKind, RegExp> = {
  personnel: /^(personel|personnel|kadro|calisan)/,
  training: /^(egitim|hizmet ici|hizmetici|training)/,
  leave: /^(izin|leave)/,
};

export const FILE_PATTERN_TEXT: Record<HrKind, string> = {
  personnel: 'personel*.csv / personel*.xlsx',
  training: 'egitim*.csv / egitim*.xlsx (or hizmet-ici-egitim*)',
  leave: 'izin*.csv / izin*.xlsx',
};

const KIND_TITLES: Record<HrKind, string> = { personnel: 'personnel', training: 'training', leave: 'leave' };

export interface ExportFile {
  path: string;
  name: string;
  format: 'csv' | 'xlsx';
  sha256: string;
  mtime: Date;
  bytes: number;
}

export interface ExportFileSet {
  files: ExportFile[];
  /** Files skipped because their content equals an earlier file's. */
  duplicates: Array<{ file: string; sameAs: string }>;
}

async function sha256(file: string): Promise<string> {
  const h = crypto.createHash('sha256');
  for await (const chunk of fs.createReadStream(file)) h.update(chunk as Buffer);
  return h.digest('hex');
}

/**
 * Lists the export files of one stream. A missing folder or a folder without such a file is a
 * SourceUnavailableError naming the folder and the names looked for. An old .xls workbook is an
 * HrExportError (it cannot be read; save it as .xlsx or CSV).
 */
export async function listExportFiles(dir: string, kind: HrKind): Promise<ExportFileSet> {
  let entries: fs.Dirent[];
  try {
    entries = await fs.promises.readdir(dir, { withFileTypes: true });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new SourceUnavailableError(`HR export folder ${dir} does not exist (PANO_HR_EXPORT_DIR)`, e);
    throw new SourceUnavailableError(`HR export folder ${dir} cannot be read: ${errorMessage(e)}`, e);
  }
  const picked: Array<{ name: string; format: 'csv' | 'xlsx' }> = [];
  for (const e of entries) {
    if (!e.isFile() || e.name.startsWith('.') || e.name.startsWith('~$')) continue; // hidden files, Excel lock files
    const ext = path.extname(e.name).toLowerCase();
    const base = foldText(path.basename(e.name, path.extname(e.name)));
    if (!FILE_PATTERNS[kind].test(base)) continue;
    if (ext === '.csv' || ext === '.txt') picked.push({ name: e.name, format: 'csv' });
    else if (ext === '.xlsx') picked.push({ name: e.name, format: 'xlsx' });
    else if (ext === '.xls') throw new HrExportError(e.name, `${e.name}: Excel 97-2003 workbooks (.xls) cannot be read: save it as .xlsx or CSV`);
  }
  if (!picked.length) {
    throw new SourceUnavailableError(`HR export folder ${dir} has no ${KIND_TITLES[kind]} export (expected ${FILE_PATTERN_TEXT[kind]})`);
  }
  picked.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const files: ExportFile[] = [];
  const duplicates: ExportFileSet['duplicates'] = [];
  const seen = new Map<string, string>();
  for (const p of picked) {
    const full = path.join(dir, p.name);
    const st = await fs.promises.stat(full);
    const hash = await sha256(full);
    const first = seen.get(hash);
    if (first) {
      duplicates.push({ file: p.name, sameAs: first });
      continue;
    }
    seen.set(hash, p.name);
    files.push({ path: full, name: p.name, format: p.format, sha256: hash, mtime: st.mtime, bytes: st.size });
  }
  return { files, duplicates };
}

export interface FileReadHooks {
  secret: string;
  cache?: Map<string, string>;
  batchSize?: number;
  onTruncated?: (file: string, line: number) => void;
  onCsvHeader?: (info: { file: string; encoding: CsvEncoding; delimiter: CsvDelimiter; headerLine: number }) => void;
  /** The site's headers and words mapped onto Pano's (PANO_HR_COLUMN_MAP). */
  columnMap?: HrColumnMap;
}

/** Streams every file of the set as one stream of HrRecord batches. */
export async function* readExportFiles(set: ExportFileSet, kind: HrKind, hooks: FileReadHooks): AsyncGenerator<HrRecord[]> {
  for (const f of set.files) {
    if (f.format === 'csv') {
      yield* readCsvExport(f.path, kind, {
        secret: hooks.secret,
        cache: hooks.cache,
        batchSize: hooks.batchSize,
        onTruncated: hooks.onTruncated,
        onHeader: hooks.onCsvHeader,
        columnMap: hooks.columnMap,
      });
    } else {
      yield* readXlsxExport(f.path, kind, { secret: hooks.secret, cache: hooks.cache, batchSize: hooks.batchSize, columnMap: hooks.columnMap });
    }
  }
}
