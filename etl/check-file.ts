import fs from 'node:fs';
import path from 'node:path';
import type { PanoConfig } from '../common/config.js';
import { ConfigError, errorMessage, PanoError } from '../common/errors.js';
import { backupSources, VEEAM_SOURCE_ID } from './sources/backup/pipeline.js';
import { hrSources } from './sources/hr/pipeline.js';
import { telecomSources } from './sources/telecom/pipeline.js';
import { checkVeeamFile, loadVeeamColumnMap, type VeeamRecord } from './sources/backup/index.js';
import {
  checkHrFile,
  closeHrOrigin,
  HR_KIND_TITLES,
  hrKindOfFileName,
  loadHrColumnMap,
  loadHrUnitMap,
  openHrOrigin,
  parseHrConfig,
  readPersonStatus,
  type HrColumnMap,
  type HrKind,
  type PersonStatus,
} from './sources/hr/index.js';
import {
  decodeText,
  DETAIL_REQUIRE_ONE_OF,
  DETAIL_SPEC,
  detectDelimiter,
  readCsvFile,
  REGISTRY_REQUIRE_ONE_OF,
  REGISTRY_SPEC,
  TelecomFormatError,
  type ColumnSpec,
  type CsvItem,
} from './sources/telecom/index.js';
import { type FileReadCheck, type SourceDefinition, unreadFile } from './source.js';

/**
 * `pano etl check-file <path>`: how one export file would be read — which source and shape, encoding,
 * delimiter, the column map applied, rows, and the first refused rows with their reasons — through the
 * sources' own readers and row rules, without a warehouse, a run log or a quarantine entry.
 */

export interface EtlFileCheck extends FileReadCheck {
  file: string;
  /** The source (stream) id that reads it, or null when none recognises it. */
  source: string | null;
  sourceTitle: string | null;
  shape: string | null;
  shapeTitle: string | null;
  culture: string | null;
  /** Line (or sheet row) of the header, where the reader looks for it. */
  headerLine: number | null;
  /** The columns read: Pano field → header as written (where the source says). */
  columns: Array<{ field: string; header: string }>;
  notes: string[];
  /** When no source recognises the file: what each one said. */
  tried: Array<{ source: string; reason: string }>;
}

/** What `--source` may name: systems and streams that read files. */
export const CHECK_FILE_SOURCES = [
  'backup',
  'backup_veeam',
  'hr',
  'hr_personnel',
  'hr_trainings',
  'hr_leaves',
  'telecom',
  'telecom_lines',
  'telecom_operator_details',
] as const;

type Reader = 'veeam' | 'hr' | 'telecom';
const HR_STREAMS: Record<string, HrKind> = { hr_personnel: 'personnel', hr_trainings: 'training', hr_leaves: 'leave' };
const HR_SOURCE_OF: Record<HrKind, string> = { personnel: 'hr_personnel', training: 'hr_trainings', leave: 'hr_leaves' };
const NOT_FILES = ['helpdesk', 'glpi', 'inventory', 'glpi_assets', 'snipeit', 'backup_bareos'];

export interface CheckFileOptions {
  /** A system or stream (CHECK_FILE_SOURCES); found from the file when not given. */
  source?: string;
  /** A column map file to use instead of the configured one (to try a map before configuring it). */
  columnMap?: string;
  /** How many refused rows to show (default 5). */
  maxRejects?: number;
}

export async function checkSourceFile(config: PanoConfig, file: string, opts: CheckFileOptions = {}): Promise<EtlFileCheck> {
  const full = path.resolve(file);
  let st: fs.Stats;
  try {
    st = fs.statSync(full);
  } catch (e) {
    throw new PanoError(`${file}: dosya yok ya da okunamıyor (no such file, or it cannot be read): ${errorMessage(e)}`, { code: 'file_unreadable' });
  }
  if (!st.isFile()) throw new PanoError(`${file}: bir dosya değil (not a file)`, { code: 'file_unreadable' });
  const source = opts.source?.trim();
  if (source && NOT_FILES.includes(source))
    throw new ConfigError(`--source ${source} reads a database or an API, not files: check-file reads ${CHECK_FILE_SOURCES.join(', ')}`);
  if (source === 'telecom_invoices')
    throw new ConfigError('--source telecom_invoices: check-file does not read e-Fatura XML files yet (it reads CSV and XLSX exports)');
  if (source && !(CHECK_FILE_SOURCES as readonly string[]).includes(source))
    throw new ConfigError(`Unknown --source "${source}": use one of ${CHECK_FILE_SOURCES.join(', ')}`);
  if (opts.columnMap && (!source || source.startsWith('telecom')))
    throw new ConfigError('--column-map needs --source backup or --source hr (the map belongs to one source)');

  // the source named, else the one whose folder (or file) it is in, else each in turn by the file's content
  const placed = source ? undefined : placeOf(config, full);
  const named = source ?? placed;
  const reader: Reader | null = !named ? null : named.startsWith('backup') ? 'veeam' : named.startsWith('hr') ? 'hr' : 'telecom';
  const ext = path.extname(full).toLowerCase();
  const order: Reader[] = reader ? [reader] : ext === '.xlsx' ? ['hr'] : ['veeam', 'hr', 'telecom'];
  if (ext === '.xml' && (!reader || reader === 'telecom')) {
    return {
      ...empty(full),
      refused: `${path.basename(full)}: check-file e-Fatura XML dosyalarını henüz okumuyor (does not read e-Fatura XML files yet); CSV ve XLSX dışa aktarımlarını okur (it reads CSV and XLSX exports)`,
    };
  }
  const tried: EtlFileCheck['tried'] = [];
  let last: EtlFileCheck | null = null;
  for (const r of order) {
    const c =
      r === 'veeam'
        ? await checkVeeam(config, full, opts, Boolean(reader))
        : r === 'hr'
          ? await checkHr(config, full, opts, named ? HR_STREAMS[named] : undefined)
          : await checkTelecom(config, full, opts, named);
    if (placed)
      c.notes.unshift(
        `${placed === 'hr' ? 'İK dışa aktarım klasöründe' : placed === VEEAM_SOURCE_ID ? 'Veeam dışa aktarım klasöründe' : 'telekom dosyalarının yerinde'} (in the configured folder of ${placed})`,
      );
    if (c.source !== null || order.length === 1) return c;
    tried.push({ source: r === 'veeam' ? VEEAM_SOURCE_ID : r, reason: c.refused ?? 'not recognised' });
    last = c;
  }
  return {
    ...(last ?? empty(full)),
    refused: `${path.basename(full)}: hiçbir kaynak bu dosyayı tanımadı (no source recognises this file); --source ile kaynağı belirtin (name the source with --source)`,
    tried,
  };
}

/** The source whose configured folder or file holds `file`, if any. */
function placeOf(config: PanoConfig, file: string): string | undefined {
  const inside = (dir: string) => {
    const rel = path.relative(path.resolve(dir), file);
    return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
  };
  if (inside(config.sources.backup.veeamDir)) return VEEAM_SOURCE_ID;
  if (!config.sources.hr.dbUrl && inside(config.sources.hr.exportDir)) return 'hr';
  if (path.resolve(config.sources.telecom.linesFile) === file) return 'telecom_lines';
  if (inside(config.sources.telecom.detailDir)) return 'telecom_operator_details';
  return undefined;
}

function empty(file: string): EtlFileCheck {
  return {
    file,
    ...unreadFile(),
    source: null,
    sourceTitle: null,
    shape: null,
    shapeTitle: null,
    culture: null,
    headerLine: null,
    columns: [],
    notes: [],
    tried: [],
  };
}

/** `named`: the file is read as a Veeam export whatever its header (named by --source, or in PANO_VEEAM_DIR). */
async function checkVeeam(config: PanoConfig, file: string, opts: CheckFileOptions, named: boolean): Promise<EtlFileCheck> {
  const mapFile = opts.columnMap ?? config.sources.backup.veeamColumnMapFile;
  const columnMap = mapFile ? loadVeeamColumnMap(mapFile, opts.columnMap ? '--column-map' : 'PANO_VEEAM_COLUMN_MAP') : undefined;
  // the run's own row rules (duplicate sessions, servers, KVKK redaction): the configured source's validate
  const veeam = backupSources(config).find((s) => s.id === VEEAM_SOURCE_ID)!;
  const c = await checkVeeamFile(file, {
    timezone: config.sources.backup.veeamTimezone ?? config.timezone,
    columnMap,
    validate: (r: VeeamRecord) => veeam.validate(r as unknown as Record<string, unknown>),
    maxRejects: opts.maxRejects,
  });
  return {
    ...empty(file),
    source: c.recognised || named ? veeam.id : null,
    sourceTitle: c.recognised || named ? veeam.title : null,
    shape: c.shape,
    shapeTitle: c.shapeTitle,
    encoding: c.encoding,
    delimiter: c.delimiter,
    culture: c.culture,
    headerLine: c.recognised ? 1 : null,
    mapping: c.mapping,
    rows: c.rows,
    valid: c.valid,
    rejected: c.rejected,
    rejects: c.rejects,
    refused: c.refused,
  };
}

async function checkHr(config: PanoConfig, file: string, opts: CheckFileOptions, kind: HrKind | undefined): Promise<EtlFileCheck> {
  const hr = config.sources.hr;
  const mapFile = opts.columnMap ?? hr.columnMapFile;
  const columnMap: HrColumnMap | undefined = mapFile ? loadHrColumnMap(mapFile, opts.columnMap ? '--column-map' : 'PANO_HR_COLUMN_MAP') : undefined;
  const check = (k: HrKind | undefined, persons?: ReadonlyMap<string, PersonStatus>) =>
    checkHrFile(file, { secret: config.kvkk.secret, kind: k, columnMap, unitMap: loadHrUnitMap(hr.exportDir), maxRejects: opts.maxRejects, persons });
  // trainings and leaves are checked against the personnel export, as in a run
  const known = kind ?? hrKindOfFileName(file) ?? undefined;
  let c = await check(known, await personsOf(config, columnMap, known));
  if (!known && c.kind && c.kind !== 'personnel') {
    const persons = await personsOf(config, columnMap, c.kind); // the stream is known from the header now
    if (persons) c = await check(c.kind, persons);
  }
  return {
    ...empty(file),
    // a file named like an export (personel*.csv …) is read as that stream, readable or not
    source: c.kind ? HR_SOURCE_OF[c.kind] : null,
    sourceTitle: c.kind ? (hrSources(config).find((s) => s.id === HR_SOURCE_OF[c.kind!])?.title ?? null) : null,
    shape: c.kind,
    shapeTitle: c.kind ? HR_KIND_TITLES[c.kind] : null,
    encoding: c.encoding,
    delimiter: c.delimiter,
    headerLine: c.headerLine,
    columns: c.columns,
    mapping: c.mapping,
    rows: c.rows,
    valid: c.valid,
    rejected: c.rejected,
    rejects: c.rejects,
    refused: c.refused,
    notes: c.notes,
  };
}

/** The persons of the configured personnel export (for a training or leave file), or undefined (check skipped). */
async function personsOf(
  config: PanoConfig,
  columnMap: HrColumnMap | undefined,
  kind: HrKind | undefined,
): Promise<ReadonlyMap<string, PersonStatus> | undefined> {
  if (kind !== 'training' && kind !== 'leave') return undefined;
  if (config.sources.hr.dbUrl) return undefined; // the personnel of the HR database are not read by check-file
  const origin = await openHrOrigin({ ...parseHrConfig({ exportDir: config.sources.hr.exportDir, kvkkSecret: config.kvkk.secret }), columnMap });
  try {
    return await readPersonStatus(origin, config.kvkk.secret);
  } catch {
    return undefined; // no (readable) personnel export beside it: the check says so
  } finally {
    await closeHrOrigin(origin);
  }
}

async function checkTelecom(config: PanoConfig, file: string, opts: CheckFileOptions, source: string | undefined): Promise<EtlFileCheck> {
  const sources = telecomSources(config);
  const kinds: Array<{ id: string; spec: ColumnSpec[]; oneOf: string[][]; shape: string; title: string }> = [
    { id: 'telecom_lines', spec: REGISTRY_SPEC, oneOf: REGISTRY_REQUIRE_ONE_OF, shape: 'line_registry', title: 'hat listesi (line registry)' },
    {
      id: 'telecom_operator_details',
      spec: DETAIL_SPEC,
      oneOf: DETAIL_REQUIRE_ONE_OF,
      shape: 'operator_detail',
      title: 'operatör detay dökümü (operator detail)',
    },
  ].filter((k) => !source || source === 'telecom' || source === k.id);
  const name = path.basename(file);
  const { text } = decodeText(fs.readFileSync(file));
  const reasons: string[] = [];
  for (const k of kinds) {
    const def = sources.find((s) => s.id === k.id) as SourceDefinition<unknown>;
    const out = { ...empty(file), delimiter: detectDelimiter(text) };
    try {
      for await (const batch of readCsvFile(file, k.spec, { displayName: name, requireOneOf: k.oneOf })) {
        for (const item of batch as CsvItem[]) {
          out.rows++;
          if (item.kind === 'row') out.encoding ??= item.encoding;
          const v = def.validate(item as unknown as Record<string, unknown>);
          if (v.ok) out.valid++;
          else {
            out.rejected++;
            if (out.rejects.length < (opts.maxRejects ?? 5))
              out.rejects.push({ locator: def.locator(item as unknown as Record<string, unknown>), reason: v.reason });
          }
        }
      }
    } catch (e) {
      if (!(e instanceof TelecomFormatError) || out.rows > 0) throw e;
      reasons.push(e.message);
      continue;
    }
    out.encoding ??= decodeText(fs.readFileSync(file)).encoding;
    return { ...out, source: def.id, sourceTitle: def.title, shape: k.shape, shapeTitle: k.title, headerLine: 1 };
  }
  // named (--source telecom_lines, or the configured file): read as that stream, refused
  const only = kinds.length === 1 ? sources.find((s) => s.id === kinds[0].id) : undefined;
  return { ...empty(file), source: only?.id ?? null, sourceTitle: only?.title ?? null, refused: reasons.join(' | ') };
}

/** The check as `pano etl check-file` prints it: one labelled line per fact, the first refused rows, the verdict. */
export function renderFileCheck(c: EtlFileCheck): string {
  const lines: string[] = [];
  const facts: Array<[string, string]> = [
    ['Dosya (file)', c.file],
    ['Kaynak (source)', c.source ? `${c.source} — ${c.sourceTitle ?? ''}` : 'tanınmadı (not recognised)'],
    ['Biçim (shape)', c.shape ? `${c.shape}${c.shapeTitle && c.shapeTitle !== c.shape ? ` — ${c.shapeTitle}` : ''}` : '–'],
    ['Kodlama (encoding)', c.encoding ?? '–'],
    ['Ayraç (delimiter)', c.delimiter === null ? '–' : c.delimiter === '\t' ? 'sekme (tab)' : `"${c.delimiter}"`],
  ];
  if (c.culture !== null) facts.push(['Kültür (culture)', c.culture]);
  if (c.headerLine !== null) facts.push(['Başlık satırı (header line)', String(c.headerLine)]);
  facts.push(['Sütun eşlemesi (column map)', c.mapping ? c.mapping.file : 'yok (none)']);
  const subs: Array<[string, string]> = !c.mapping
    ? []
    : [
        ['uygulanan (applied)', c.mapping.columns.length ? c.mapping.columns.map((m) => `${m.header} → ${m.field}`).join(', ') : 'hiçbiri (none)'],
        ...(c.mapping.unused.length ? [['dosyada yok (not in the file)', c.mapping.unused.join(', ')] as [string, string]] : []),
        ...(c.mapping.values.length
          ? [['değerler (values)', c.mapping.values.map((v) => `${v.field}: ${v.from} → ${v.to}`).join(', ')] as [string, string]]
          : []),
      ];
  const width = Math.max(...facts.map(([k]) => k.length), ...subs.map(([k]) => k.length + 2), 'Okunan sütunlar (columns read)'.length) + 2;
  for (const [k, v] of facts) lines.push(`${`${k}:`.padEnd(width)}${v}`);
  for (const [k, v] of subs) lines.push(`  ${`${k}:`.padEnd(width - 2)}${v}`);
  if (c.columns.length) lines.push(`${'Okunan sütunlar (columns read):'.padEnd(width)}${c.columns.map((x) => `${x.field} ← ${x.header}`).join(', ')}`);
  lines.push(`${'Satırlar (rows):'.padEnd(width)}${c.rows} okunan (read) · ${c.valid} geçerli (valid) · ${c.rejected} reddedilen (rejected)`);
  if (c.rejects.length) {
    lines.push(`İlk reddedilenler (first rejects)${c.rejected > c.rejects.length ? `, ${c.rejects.length} / ${c.rejected}` : ''}:`);
    const w = Math.max(...c.rejects.map((r) => r.locator.length)) + 2;
    for (const r of c.rejects) lines.push(`  ${r.locator.padEnd(w)}${r.reason}`);
  }
  for (const n of c.notes) lines.push(`Not (note): ${n}`);
  if (c.tried.length) {
    lines.push('Denenen kaynaklar (sources tried):');
    for (const t of c.tried) lines.push(`  ${t.source}: ${t.reason}`);
  }
  if (c.refused) lines.push(`Dosya reddedildi (file refused): ${c.refused}`);
  lines.push('Ambara hiçbir şey yüklenmedi (nothing was loaded into the warehouse).');
  return lines.join('\n');
}
