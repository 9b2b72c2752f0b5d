import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../common/config.js';
import { DEFAULT_TIMEZONE } from '../../common/definitions/timezone.js';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pano-config-'));
afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

describe('PANO_TIMEZONE', () => {
  it.each([
    [undefined, DEFAULT_TIMEZONE],
    ['UTC', 'UTC'],
    ['Europe/Istanbul', 'Europe/Istanbul'],
    ['America/Argentina/Buenos_Aires', 'America/Argentina/Buenos_Aires'],
  ])('PANO_TIMEZONE=%s → timezone %s', (value, expected) => {
    expect(loadConfig({ PANO_DATA_DIR: dataDir, ...(value ? { PANO_TIMEZONE: value } : {}) }).timezone).toBe(expected);
  });

  // The marts write the zone into SQL: anything but a zone name the runtime knows stops the start, naming the key.
  it.each(['Mars/Olympus', "Europe/Istanbul'; DROP SCHEMA marts; --", '', '+03:00'])('refuses %j', (value) => {
    expect(() => loadConfig({ PANO_DATA_DIR: dataDir, PANO_TIMEZONE: value })).toThrow(/PANO_TIMEZONE: is not an IANA time zone/);
  });
});
