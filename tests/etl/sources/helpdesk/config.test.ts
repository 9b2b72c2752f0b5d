import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../../common/errors.js';
import { parseGlpiConfig } from '../../../../etl/sources/helpdesk/config.js';

describe('parseGlpiConfig', () => {
  it.each([
    [{ url: 'mysql://pano:gizli@glpi-db:3306/glpi' }, { url: 'mysql://pano:gizli@glpi-db:3306/glpi', timezone: 'Europe/Istanbul' }],
    [
      { url: 'mariadb://pano@10.0.0.5/glpi', timezone: 'UTC' },
      { url: 'mariadb://pano@10.0.0.5/glpi', timezone: 'UTC' },
    ],
    [
      { url: 'sqlite:data/sources/glpi.sqlite', unitMapFile: 'config/glpi-units.json' },
      { url: 'sqlite:data/sources/glpi.sqlite', timezone: 'Europe/Istanbul', unitMapFile: 'config/glpi-units.json' },
    ],
  ])('accepts %j', (input, expected) => {
    expect(parseGlpiConfig(input)).toEqual(expected);
  });

  it('reports every bad key at once, by environment variable, without the password', () => {
    let error: unknown;
    try {
      parseGlpiConfig({ url: 'postgres://pano:cok-gizli@db/glpi', timezone: 'Istanbul' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const msg = (error as Error).message;
    expect(msg).toMatch(/PANO_GLPI_URL: must be mysql:\/\//);
    expect(msg).toMatch(/PANO_GLPI_TIMEZONE: is not an IANA time zone/);
    expect(msg).not.toContain('cok-gizli');
  });

  it('rejects unknown keys', () => {
    expect(() => parseGlpiConfig({ url: 'sqlite:x', password: 'x' })).toThrow(ConfigError);
  });
});
