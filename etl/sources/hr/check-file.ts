import path from 'node:path';
import { errorMessage } from '../../../common/errors.js';
import type { HrColumnMap } from './column-map.js';
import { findHeader, readCsvExport, sniffCsv } from './csv.js';
import { HrExportError } from './errors.js';
import { FILE_PATTERNS } from './files.js';
import type { HeaderMap, HrKind } from './headers.js';
import type { HrRecord } from './records.js';
import { compactKey, foldText } from './text.js';
import type { HrUnitMap } from './units.js';
import { LeaveValidator, PersonnelValidator, TrainingValidator, type PersonStatus } from './rows.js';
import { readXlsxExport } from './xlsx.js';
import { type FileReadCheck, unreadFile } from '../../source.js';

/**
 * `pano etl check-file` for one HR export: which stream it is (by its name, else by its header), then the
 * file read exactly as a run reads it (the same readers, the same row rules), counted and described. Nothing
 * is written anywhere. TC Kimlik Nos are hashed and masked as in a run: no clear number is printed.
 */

export const HR_KIND_TITLES: Record<HrKind, string> = {
  personnel: 'personel (personnel)',
  training: 'hizmet içi eğitim (in-service training)',
  leave: 'izin (leave)',
};

export interface HrFileCheck extends FileReadCheck {
  /** True when a header row of the stream was found (the file is an HR export, readable or not). */
  recognised: boolean;
  kind: HrKind | null;
  /** Line (CSV) or sheet row (XLSX) of the header. */
  headerLine: number | null;
  /** The columns read: field → header as written. */
  columns: Array<{ field: string; header: string }>;
  notes: string[];
}

export interface CheckHrFileOptions {
  secret: string;
  /** The stream; found from the file name, else from the header, when not given. */
  kind?: HrKind;
  columnMap?: HrColumnMap;
  unitMap?: HrUnitMap;
  /** The personnel stream's persons, for training and leave files; without them the person check is skipped. */
  persons?: ReadonlyMap<string, PersonStatus>;
  maxRejects?: number;
}

/** The stream a file name stands for ('Hizmet İçi Eğitim 2026.xlsx' → training), or null. */
export function hrKindOfFileName(file: string): HrKind | null {
  const base = foldText(path.basename(file, path.extname(file)));
  return (Object.keys(FILE_PATTERNS) as HrKind[]).find((k) => FILE_PATTERNS[k].test(base)) ?? null;
}

/** Every person is taken as known (the person check skipped). */
class AnyPerson extends Map<string, PersonStatus> {
  override get(): PersonStatus {
    return { ok: true };
  }
}

export async function checkHrFile(file: string, opts: CheckHrFileOptions): Promise<HrFileCheck> {
  const full = path.resolve(file);
  const maxRejects = opts.maxRejects ?? 5;
  const out: HrFileCheck = {
    ...unreadFile(),
    recognised: false,
    kind: null,
    headerLine: null,
    columns: [],
    notes: [],
  };
  const xlsx = /\.xlsx$/i.test(full);
  let kind = opts.kind ?? hrKindOfFileName(full);
  if (kind === null) {
    // not named like an export: the stream whose header the file has
    const found = await kindByHeader(full, xlsx, opts);
    if (typeof found === 'string') {
      out.refused = found;
      return out;
    }
    kind = found;
  }
  out.kind = kind;
  let header: HeaderMap | null = null;
  const persons = opts.persons ?? new AnyPerson();
  if (kind !== 'personnel' && !opts.persons)
    out.notes.push('kişi kontrolü yapılmadı: personel dışa aktarımı okunamadı (person check skipped: no personnel export to compare with)');
  const validator =
    kind === 'personnel'
      ? new PersonnelValidator(opts.unitMap ?? new Map())
      : kind === 'training'
        ? new TrainingValidator(persons)
        : new LeaveValidator(persons);
  const records: AsyncIterable<HrRecord[]> = xlsx
    ? readXlsxExport(full, kind, {
        secret: opts.secret,
        columnMap: opts.columnMap,
        onHeader: (h) => {
          header = h.header;
          out.headerLine = h.headerRow;
          out.encoding = 'xlsx';
        },
      })
    : readCsvExport(full, kind, {
        secret: opts.secret,
        columnMap: opts.columnMap,
        onTruncated: (f, line) =>
          out.notes.push(`${f} satır ${line} içinde bitiyor: dışa aktarım kesik görünüyor (ends inside line ${line}: the export looks truncated)`),
        onHeader: (h) => {
          header = h.header;
          out.encoding = h.encoding;
          out.delimiter = h.delimiter;
          out.headerLine = h.headerLine;
        },
      });
  try {
    for await (const batch of records) {
      for (const r of batch) {
        out.rows++;
        const v = validator.validate(r);
        if (v.ok) out.valid++;
        else {
          out.rejected++;
          if (out.rejects.length < maxRejects) out.rejects.push({ locator: r.ref, reason: v.reason });
        }
      }
    }
  } catch (e) {
    out.refused = e instanceof HrExportError ? e.message : `${path.basename(full)}: ${errorMessage(e)}`;
  }
  const h = header as HeaderMap | null;
  if (h) {
    out.recognised = true;
    out.columns = Object.entries(h.index).map(([field, at]) => ({ field, header: h.cells[at as number] }));
  }
  if (opts.columnMap) {
    // the map's entries for this stream (shared ones whose field it has, and its section) that the file lacks
    const used = new Set((h?.mapped ?? []).map((m) => compactKey(m.header)));
    const own = opts.columnMap.byHeader[kind];
    out.mapping = {
      file: opts.columnMap.file,
      columns: h?.mapped ?? [],
      unused: opts.columnMap.columns
        .filter((m) => (m.kind ?? kind) === kind && own.has(compactKey(m.header)) && !used.has(compactKey(m.header)))
        .map((m) => m.header),
      values: [...opts.columnMap.values].flatMap(([field, m]) => m.entries.map((e) => ({ field, from: e.from, to: e.to }))),
    };
  }
  return out;
}

/** The stream whose header a file has (the one with the most columns recognised), or why none. */
async function kindByHeader(full: string, xlsx: boolean, opts: CheckHrFileOptions): Promise<HrKind | string> {
  const name = path.basename(full);
  const reasons: string[] = [];
  let best: { kind: HrKind; recognised: number } | null = null;
  for (const kind of ['personnel', 'training', 'leave'] as HrKind[]) {
    try {
      let recognised = 0;
      if (xlsx) {
        for await (const _ of readXlsxExport(full, kind, {
          secret: opts.secret,
          columnMap: opts.columnMap,
          batchSize: 1,
          onHeader: (h) => (recognised = h.header.recognised),
        }))
          break;
      } else {
        const sniff = await sniffCsv(full);
        recognised = (await findHeader(full, name, kind, sniff.encoding, opts.columnMap)).header.recognised;
      }
      if (!best || recognised > best.recognised) best = { kind, recognised };
    } catch (e) {
      reasons.push(e instanceof HrExportError ? e.message : `${name}: ${errorMessage(e)}`);
    }
  }
  if (best) return best.kind;
  return `${name}: adından ya da başlığından hangi İK dışa aktarımı olduğu anlaşılmıyor (neither its name nor its header says which HR export it is) — ${[...new Set(reasons)].join(' | ')}`;
}
