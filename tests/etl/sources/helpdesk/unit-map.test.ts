import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../../common/errors.js';
import { foldName, loadUnitMap, resolveUnit } from '../../../../etl/unit-map.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pano-unit-map-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const write = (name: string, text: string) => {
  const f = path.join(tmp, name);
  fs.writeFileSync(f, text);
  return f;
};

const ticket = (requesterGroup: string | null, entityName: string | null = 'Sultanbeyli Belediyesi', entity = entityName) => ({
  requesterGroup,
  entityName,
  entity,
});

describe('resolveUnit', () => {
  const empty = loadUnitMap();
  const map = loadUnitMap(
    write(
      'map.json',
      JSON.stringify({ 'Eski Muhasebe Birimi': 'MALI_HIZMETLER', 'Sultanbeyli Belediyesi > Zabıta': 'ZABITA', 'Fen İşleri Müdürlüğü': 'PARK_BAHCE' }),
    ),
  );

  it.each([
    ['exact group name', ticket('Fen İşleri Müdürlüğü'), empty, { unitCode: 'FEN_ISLERI', via: 'group' }],
    ['upper case with Turkish İ', ticket('FEN İŞLERİ MÜDÜRLÜĞÜ'), empty, { unitCode: 'FEN_ISLERI', via: 'group' }],
    ['upper case with Turkish I (ı)', ticket('ZABITA MÜDÜRLÜĞÜ'), empty, { unitCode: 'ZABITA', via: 'group' }],
    ['lower case and extra spaces', ticket('  bilgi  işlem müdürlüğü '), empty, { unitCode: 'BILGI_ISLEM', via: 'group' }],
    ['map beats the exact name', ticket('Fen İşleri Müdürlüğü'), map, { unitCode: 'PARK_BAHCE', via: 'map' }],
    ['map for a legacy group', ticket('Eski Muhasebe Birimi'), map, { unitCode: 'MALI_HIZMETLER', via: 'map' }],
    ['map for an entity path', ticket(null, 'Zabıta', 'Sultanbeyli Belediyesi > Zabıta'), map, { unitCode: 'ZABITA', via: 'map' }],
    [
      'entity named like a unit',
      ticket(null, 'Kültür ve Sosyal İşler Müdürlüğü', 'Sultanbeyli Belediyesi > Kültür ve Sosyal İşler Müdürlüğü'),
      empty,
      { unitCode: 'KULTUR', via: 'entity' },
    ],
    ['group wins over entity', ticket('Hukuk İşleri Müdürlüğü', 'Zabıta Müdürlüğü'), empty, { unitCode: 'HUKUK', via: 'group' }],
  ])('%s', (_label, t, m, expected) => {
    expect(resolveUnit(t, m)).toMatchObject(expected);
  });

  it.each([
    ['no requester group', ticket(null), 'ticket has no requester group, and entity "Sultanbeyli Belediyesi" is not a unit either'],
    [
      'unknown group',
      ticket('Eski Muhasebe Birimi'),
      'requester group "Eski Muhasebe Birimi" is not a known unit (add it to PANO_GLPI_UNIT_MAP), and entity "Sultanbeyli Belediyesi" is not a unit either',
    ],
    ['nothing at all', ticket(null, null), 'ticket has no requester group, and it has no entity'],
    [
      'ASCII-folded name is not the unit',
      ticket('Fen Isleri Mudurlugu'),
      'requester group "Fen Isleri Mudurlugu" is not a known unit (add it to PANO_GLPI_UNIT_MAP), and entity "Sultanbeyli Belediyesi" is not a unit either',
    ],
  ])('gives a reason: %s', (_label, t, reason) => {
    expect(resolveUnit(t, empty)).toEqual({ unitCode: null, reason });
  });

  it('accepts another unit list', () => {
    expect(resolveUnit(ticket('Deneme Birimi'), empty, [{ code: 'DENEME', name: 'Deneme Birimi', staff: 1 }])).toMatchObject({ unitCode: 'DENEME' });
  });
});

describe('loadUnitMap', () => {
  it('returns an empty map without a file', () => {
    expect(loadUnitMap(undefined).size).toBe(0);
  });

  it('folds keys for lookup', () => {
    const m = loadUnitMap(write('fold.json', '{"ESKİ MUHASEBE BİRİMİ": "MALI_HIZMETLER"}'));
    expect(m.get(foldName('eski muhasebe birimi'))).toBe('MALI_HIZMETLER');
  });

  it('reports every unknown code at once', () => {
    const f = write('bad.json', JSON.stringify({ A: 'NOPE', B: 'FEN_ISLERI', C: 'ALSO_NOPE' }));
    expect(() => loadUnitMap(f)).toThrow(ConfigError);
    expect(() => loadUnitMap(f)).toThrow(/"A": unknown unit code "NOPE"\n {2}"C": unknown unit code "ALSO_NOPE"/);
  });

  it.each([
    ['bad JSON', '{"a": ', /not valid JSON/],
    ['not an object of strings', '{"a": 1}', /must be a JSON object/],
    ['a list', '["FEN_ISLERI"]', /must be a JSON object/],
    ['conflicting duplicates after folding', '{"Fen": "FEN_ISLERI", "FEN": "ZABITA"}', /listed twice/],
  ])('rejects %s', (_label, text, message) => {
    expect(() => loadUnitMap(write(`x-${_label.replace(/\W/g, '')}.json`, text))).toThrow(message);
  });

  it('names a missing file', () => {
    expect(() => loadUnitMap(path.join(tmp, 'missing.json'))).toThrow(/PANO_GLPI_UNIT_MAP: cannot read .*missing\.json/);
  });
});
