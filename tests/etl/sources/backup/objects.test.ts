import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import iconv from 'iconv-lite';
import { ConfigError } from '../../../../common/errors.js';
import { deriveService, loadServiceMap, normalizeServerName, ObjectResolver, parseBackupConfig } from '../../../../etl/sources/backup/index.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pano-backup-map-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const write = (name: string, content: string | Buffer) => {
  const f = path.join(tmp, name);
  fs.writeFileSync(f, content);
  return f;
};

describe('server names', () => {
  it.each<[string, 'veeam' | 'bareos', string]>([
    ['DC01', 'veeam', 'dc01'],
    ['dc01.sultanbeyli.local', 'veeam', 'dc01'],
    ['  EBYS-DB  ', 'veeam', 'ebys-db'],
    ['ebys-db-fd', 'bareos', 'ebys-db'],
    ['ebys-db-fd', 'veeam', 'ebys-db-fd'],
    ['10.0.12.5', 'veeam', '10.0.12.5'],
    ['Windows 2016', 'veeam', 'windows 2016'],
    ['İMAR-App', 'veeam', 'İmar-app'], // never Turkish-cased: identifiers keep their non-ASCII letters
  ])('normalizeServerName(%j, %s) = %j', (raw, tool, server) => expect(normalizeServerName(raw, tool)).toBe(server));

  it.each([
    ['ebys-db', 'ebys'],
    ['ebys-app02', 'ebys'],
    ['dc01', 'dc'],
    ['kamera-nvr03', 'kamera'],
    ['yedek-nas', 'yedek'],
    ['vdi-001', 'vdi'],
    ['windows 2016', 'windows'],
    ['10.0.12.5', '10.0.12.5'],
    ['42', '42'],
  ])('deriveService(%j) = %j', (server, service) => expect(deriveService(server)).toBe(service));
});

describe('the service map', () => {
  it('reads Turkish headers, `;`, windows-1254, comments; first matching line wins; patterns with *', () => {
    const f = write(
      'map-1254.csv',
      iconv.encode(
        '# yorum satırı\r\nsunucu;hizmet;birim;rpo_saat\r\nebys-db;EBYS;YAZI_ISLERI;6\r\nebys-*;EBYS (Elektronik Belge Yönetim Sistemi);YAZI_ISLERI;\r\nkamera-*;Kent güvenlik kameraları;ZABITA;48\r\n',
        'windows-1254',
      ),
    );
    const r = new ObjectResolver(loadServiceMap(f), { unitCode: 'BILGI_ISLEM', rpoTargetHours: 24 });
    expect(r.resolve('ebys-db')).toEqual({ service: 'EBYS', unitCode: 'YAZI_ISLERI', rpoTargetHours: 6, mapped: true });
    expect(r.resolve('ebys-app01')).toEqual({ service: 'EBYS (Elektronik Belge Yönetim Sistemi)', unitCode: 'YAZI_ISLERI', rpoTargetHours: 24, mapped: true });
    expect(r.resolve('kamera-nvr01')).toEqual({ service: 'Kent güvenlik kameraları', unitCode: 'ZABITA', rpoTargetHours: 48, mapped: true });
    expect(r.resolve('dc01')).toEqual({ service: 'dc', unitCode: 'BILGI_ISLEM', rpoTargetHours: 24, mapped: false });
  });

  it('reads English headers, `,`, UTF-8 with BOM, only some columns', () => {
    const f = write('map-en.csv', '\uFEFFserver,unit_code\ndosya-fen-isleri,FEN_ISLERI\n');
    const r = new ObjectResolver(loadServiceMap(f), { unitCode: 'BILGI_ISLEM', rpoTargetHours: 12 });
    expect(r.resolve('dosya-fen-isleri')).toEqual({ service: 'dosya', unitCode: 'FEN_ISLERI', rpoTargetHours: 12, mapped: true });
  });

  it('reports every problem at once, by line', () => {
    const f = write('bad.csv', 'sunucu;hizmet;birim;rpo_saat\n;X;BILGI_ISLEM;24\nweb*;Web;BASIN;24\ndc*;AD;BILGI_ISLEM;bir gün\n');
    let err: unknown;
    try {
      loadServiceMap(f);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toBe(
      `Backup service map ${f} has problems:\n  line 2: server is empty\n  line 3: unit_code "BASIN" is not a unit code (see common/units.ts, e.g. BILGI_ISLEM)\n  line 4: rpo_hours "bir gün" is not a positive number of hours`,
    );
  });

  it('names a missing header and a missing file', () => {
    expect(() => loadServiceMap(write('nohdr.csv', 'makine;ekip\nx;y\n'))).toThrow(/header has no "server" \(or "sunucu"\) column/);
    expect(() => loadServiceMap(path.join(tmp, 'yok.csv'))).toThrow(/Backup service map .*yok\.csv cannot be read: ENOENT/);
  });
});

describe('backup settings', () => {
  it('defaults: Istanbul, 24 h, BILGI_ISLEM', () => {
    expect(parseBackupConfig({ veeamDir: '/v', bareosUrl: 'postgres://u:p@h/b' })).toEqual({
      veeamDir: '/v',
      bareosUrl: 'postgres://u:p@h/b',
      veeamTimezone: 'Europe/Istanbul',
      bareosTimezone: 'Europe/Istanbul',
      rpoTargetHours: 24,
      defaultUnitCode: 'BILGI_ISLEM',
    });
  });

  it('lists every bad setting by its environment variable, never the password', () => {
    let msg = '';
    try {
      parseBackupConfig({ veeamDir: '', bareosUrl: 'oracle://pano:gizli@db/bareos', veeamTimezone: 'Mars/Olympus', rpoTargetHours: -1, defaultUnitCode: 'XX' });
    } catch (e) {
      msg = (e as Error).message;
    }
    expect(msg).toMatch(/^Invalid backup source settings \(catalog oracle:\/\/pano:\*\*\*@db\/bareos\):/);
    for (const k of ['PANO_VEEAM_DIR', 'PANO_BAREOS_URL', 'PANO_VEEAM_TIMEZONE', 'PANO_BACKUP_RPO_HOURS', 'PANO_BACKUP_DEFAULT_UNIT'])
      expect(msg).toContain(`  ${k}: `);
    expect(msg).not.toContain('gizli');
  });
});
