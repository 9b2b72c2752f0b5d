import fs from 'node:fs';
import { isUtf8 } from 'node:buffer';
import { parse as parseCsvSync } from 'csv-parse/sync';
import iconv from 'iconv-lite';
import { ConfigError } from '../../../common/errors.js';
import { unitByCode } from '../../../common/units.js';

/**
 * Protected objects: which server a backup session protects, and which service and unit that server
 * belongs to.
 *
 * - **Server** = the Veeam VM name or the Bareos client name, normalised: trimmed, a fully qualified
 *   host name cut to its first label (`dc01.sultanbeyli.local` → `dc01`), a Bareos client's `-fd`
 *   suffix dropped (`ebys-db-fd` → `ebys-db`), ASCII letters lower-cased (never Turkish-cased: these are
 *   identifiers). So one machine backed up by both tools has one name.
 * - **Service**, by naming convention: the server name's first part before `-`, `_`, `.` or a space, with
 *   trailing digits removed (`ebys-db` → `ebys`, `dc01` → `dc`, `kamera-nvr03` → `kamera`).
 * - An optional **service map** (CSV, see README) overrides the convention per server or pattern and
 *   gives the owning unit and the RPO target.
 */

export type BackupTool = 'veeam' | 'bareos';

const IPV4 = /^\d{1,3}(?:\.\d{1,3}){3}$/;
const FQDN = /^[A-Za-z0-9][A-Za-z0-9-]*(?:\.[A-Za-z0-9-]+)+$/;

export function lowerAscii(s: string): string {
  return s.replace(/[A-Z]+/g, (m) => m.toLowerCase());
}

const serverNames = new Map<string, string>();

/** A VM or client name as Pano's server key. Empty input → ''. */
export function normalizeServerName(raw: string, tool: BackupTool): string {
  const key = tool === 'bareos' ? `b\u0001${raw}` : raw;
  let out = serverNames.get(key);
  if (out !== undefined) return out;
  let s = raw.normalize('NFC').trim().replace(/\s+/g, ' ');
  if (tool === 'bareos') s = s.replace(/-fd$/i, '');
  if (!IPV4.test(s) && FQDN.test(s)) s = s.slice(0, s.indexOf('.'));
  out = lowerAscii(s);
  if (serverNames.size > 200_000) serverNames.clear();
  serverNames.set(key, out);
  return out;
}

/** The service a server belongs to by naming convention. */
export function deriveService(server: string): string {
  const first = server.split(/[-_. ]/)[0] ?? '';
  const service = first.replace(/\d+$/, '');
  return service === '' ? server : service;
}

export interface ServiceMapEntry {
  /** As written: a server name or a pattern with `*` wildcards. */
  pattern: string;
  service: string | null;
  unitCode: string | null;
  rpoHours: number | null;
  /** Line in the map file, for messages. */
  line: number;
  matcher: (server: string) => boolean;
}

export interface ServiceMap {
  file: string;
  entries: ServiceMapEntry[];
}

const HEADER_ALIASES: Record<'server' | 'service' | 'unit_code' | 'rpo_hours', string[]> = {
  server: ['server', 'sunucu', 'pattern', 'desen'],
  service: ['service', 'hizmet', 'servis'],
  unit_code: ['unit_code', 'unit', 'birim', 'birim_kodu'],
  rpo_hours: ['rpo_hours', 'rpo_saat', 'rpo'],
};

/**
 * Reads the service map: CSV with a header, `;` or `,` separated, UTF-8 (BOM allowed) or windows-1254.
 * Columns `server` (name or `*` pattern, required), `service`, `unit_code`, `rpo_hours` (Turkish headers
 * `sunucu`, `hizmet`, `birim`, `rpo_saat` also work). Every problem is reported at once (ConfigError).
 */
export function loadServiceMap(file: string): ServiceMap {
  let buf: Buffer;
  try {
    buf = fs.readFileSync(file);
  } catch (e) {
    throw new ConfigError(`Backup service map ${file} cannot be read: ${(e as Error).message}`, e);
  }
  let text = isUtf8(buf) ? buf.toString('utf8') : iconv.decode(buf, 'windows-1254');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const firstLine = text.split(/\r?\n/).find((l) => l.trim() !== '' && !l.trimStart().startsWith('#')) ?? '';
  const delimiter = (firstLine.match(/;/g)?.length ?? 0) > (firstLine.match(/,/g)?.length ?? 0) ? ';' : ',';
  let rows: string[][];
  try {
    rows = parseCsvSync(text, { delimiter, relax_column_count: true, skip_empty_lines: true, trim: true, comment: '#' }) as string[][];
  } catch (e) {
    throw new ConfigError(`Backup service map ${file} is not valid CSV: ${(e as Error).message}`, e);
  }
  const header = (rows[0] ?? []).map((h) => lowerAscii(h.trim()));
  const col = (k: keyof typeof HEADER_ALIASES) => header.findIndex((h) => HEADER_ALIASES[k].includes(h));
  const idx = { server: col('server'), service: col('service'), unit: col('unit_code'), rpo: col('rpo_hours') };
  const problems: string[] = [];
  if (idx.server < 0) problems.push(`header has no "server" (or "sunucu") column: ${JSON.stringify(rows[0] ?? [])}`);
  if (idx.service < 0 && idx.unit < 0 && idx.rpo < 0) problems.push('header needs at least one of "service", "unit_code", "rpo_hours"');
  const entries: ServiceMapEntry[] = [];
  if (!problems.length) {
    rows.slice(1).forEach((r, i) => {
      const line = i + 2;
      const get = (j: number) => (j >= 0 ? (r[j] ?? '').trim() : '');
      const pattern = get(idx.server);
      if (pattern === '') {
        problems.push(`line ${line}: server is empty`);
        return;
      }
      const unitCode = get(idx.unit) || null;
      if (unitCode && !unitByCode(unitCode)) problems.push(`line ${line}: unit_code "${unitCode}" is not a unit code (see common/units.ts, e.g. BILGI_ISLEM)`);
      const rpoText = get(idx.rpo).replace(',', '.');
      const rpoHours = rpoText === '' ? null : Number(rpoText);
      if (rpoHours !== null && !(Number.isFinite(rpoHours) && rpoHours > 0))
        problems.push(`line ${line}: rpo_hours "${get(idx.rpo)}" is not a positive number of hours`);
      entries.push({ pattern, service: get(idx.service) || null, unitCode, rpoHours, line, matcher: patternMatcher(pattern) });
    });
  }
  if (problems.length) throw new ConfigError(`Backup service map ${file} has problems:\n${problems.map((p) => `  ${p}`).join('\n')}`);
  return { file, entries };
}

/** Case-insensitive (ASCII) match of a server against a name or `*` pattern. */
export function patternMatcher(pattern: string): (server: string) => boolean {
  const p = lowerAscii(pattern.normalize('NFC').trim());
  if (!p.includes('*')) return (s) => s === p;
  const re = new RegExp(
    `^${p
      .split('*')
      .map((x) => x.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
  return (s) => re.test(s);
}

export interface ResolvedObject {
  service: string;
  unitCode: string;
  rpoTargetHours: number;
  /** True when the service map had an entry for the server. */
  mapped: boolean;
}

export interface ObjectDefaults {
  /** Unit of servers the map does not place: the IT directorate runs the infrastructure. */
  unitCode: string;
  /** RPO target of servers without one in the map: 24 h for daily backups. */
  rpoTargetHours: number;
}

/** Resolves a server's service, unit and RPO target (first matching map line wins), cached per server. */
export class ObjectResolver {
  private readonly cache = new Map<string, ResolvedObject>();
  constructor(
    private readonly map: ServiceMap | null,
    private readonly defaults: ObjectDefaults,
  ) {}

  get hasMap(): boolean {
    return this.map !== null;
  }

  resolve(server: string): ResolvedObject {
    let r = this.cache.get(server);
    if (r) return r;
    const e = this.map?.entries.find((x) => x.matcher(server));
    r = {
      service: e?.service ?? deriveService(server),
      unitCode: e?.unitCode ?? this.defaults.unitCode,
      rpoTargetHours: e?.rpoHours ?? this.defaults.rpoTargetHours,
      mapped: e !== undefined,
    };
    if (this.cache.size < 1_000_000) this.cache.set(server, r);
    return r;
  }
}
