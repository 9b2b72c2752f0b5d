import { execFile } from 'node:child_process';
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../common/config.js';
import { createLogger, holdLogsWhileDrawing, resolveLogFormat, type LoggerOptions } from '../../common/logger.js';

/** A destination that keeps what it is given; `isTTY` plays the terminal. */
function capture(isTTY = false) {
  const chunks: string[] = [];
  return { chunks, lines: () => chunks.join('').split('\n').filter(Boolean), destination: { isTTY, write: (s: string) => void chunks.push(s) } };
}

function logWith(opts: LoggerOptions & { isTTY?: boolean }) {
  const out = capture(opts.isTTY);
  const logger = createLogger({ env: {}, ...opts, destination: out.destination });
  return { logger, out };
}

const ESC = '\u001b';

describe('resolveLogFormat', () => {
  it.each([
    [undefined, true, 'pretty'],
    [undefined, false, 'json'],
    ['auto', true, 'pretty'],
    ['auto', false, 'json'],
    ['json', true, 'json'],
    ['json', false, 'json'],
    ['pretty', true, 'pretty'],
    ['pretty', false, 'pretty'],
    [' JSON ', true, 'json'],
    ['', true, 'pretty'],
    ['renkli', false, 'json'],
  ] as const)('PANO_LOG_FORMAT=%s, terminal=%s → %s', (setting, isTTY, expected) => {
    expect(resolveLogFormat(setting, isTTY)).toBe(expected);
  });
});

describe('PANO_LOG_FORMAT in the configuration', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pano-logcfg-'));
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it.each([
    [undefined, 'auto'],
    ['auto', 'auto'],
    ['json', 'json'],
    ['pretty', 'pretty'],
  ])('PANO_LOG_FORMAT=%s → logFormat %s', (value, expected) => {
    expect(loadConfig({ PANO_DATA_DIR: dataDir, ...(value ? { PANO_LOG_FORMAT: value } : {}) }).logFormat).toBe(expected);
  });

  it('refuses anything else, naming the key', () => {
    expect(() => loadConfig({ PANO_DATA_DIR: dataDir, PANO_LOG_FORMAT: 'renkli' })).toThrow(/PANO_LOG_FORMAT/);
  });
});

describe('createLogger', () => {
  afterEach(() => vi.useRealTimers());

  it('json: one JSON object a line, with the event name, the fields and credentials censored', () => {
    const { logger, out } = logWith({ format: 'json' });
    logger.info({ source: 'glpi', rows_read: 39402, password: 'gizli-degil' }, 'etl.source.done');
    logger.warn({ run_id: 'R1' }, 'etl.run.nothing_published');
    const lines = out.lines().map((l) => JSON.parse(l));
    expect(lines).toEqual([
      { level: 30, time: expect.any(Number), source: 'glpi', rows_read: 39402, password: '[gizli]', msg: 'etl.source.done' },
      { level: 40, time: expect.any(Number), run_id: 'R1', msg: 'etl.run.nothing_published' },
    ]);
  });

  it('pretty: one short line each — local HH:MM:ss, the level as a word, the event name, then the fields', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date(2026, 10, 30, 8, 5, 9)); // local time, whatever the machine's zone
    const { logger, out } = logWith({ format: 'pretty', colorize: false, level: 'debug' });
    logger.error({ run_id: 'R1', source: 'hr_personnel', err: 'HR database at 127.0.0.1:1/ik is unreachable' }, 'etl.source.failed');
    logger.warn({ sources: ['glpi', 'hr'], checks_failed: [], previous: null, token: 'abc' }, 'etl.run.start');
    logger.info({ summary: { tickets: 39600, faults: { noGroup: 119 } } }, 'demo.generated');
    logger.debug(new Error('satır bir\nsatır iki'), 'x.failed');
    logger.info({ note: 'x'.repeat(500) }, 'long.value');
    expect(out.chunks.join('')).not.toContain(ESC);
    const lines = out.lines();
    expect(lines).toHaveLength(5); // nothing spills onto a second line
    expect(lines.slice(0, 4)).toEqual([
      '08:05:09 ERROR: etl.source.failed run_id=R1 source=hr_personnel err="HR database at 127.0.0.1:1/ik is unreachable"',
      '08:05:09 WARN: etl.run.start sources=glpi,hr token=[gizli]',
      '08:05:09 INFO: demo.generated summary={"tickets":39600,"faults":{"noGroup":119}}',
      '08:05:09 DEBUG: x.failed err="satır bir\\nsatır iki"',
    ]);
    expect(lines[4]!.length).toBeLessThan(260);
    expect(lines[4]).toMatch(/^08:05:09 INFO: long.value note=x+…$/);
  });

  it('pretty lines are coloured only on a terminal, and never with NO_COLOR', () => {
    const tty = logWith({ format: 'pretty', isTTY: true });
    const file = logWith({ format: 'pretty', isTTY: false });
    const noColor = logWith({ format: 'pretty', isTTY: true, env: { NO_COLOR: '1' } });
    for (const { logger } of [tty, file, noColor]) logger.warn({ source: 'glpi' }, 'etl.check.failed');
    expect(tty.out.chunks.join('')).toContain(ESC);
    expect(file.out.chunks.join('')).not.toContain(ESC);
    expect(noColor.out.chunks.join('')).not.toContain(ESC);
  });

  it.each([
    ['a terminal, PANO_LOG_FORMAT unset', 'pretty', true, {}],
    ['a pipe or file, PANO_LOG_FORMAT unset', 'json', false, {}],
    ['a terminal, PANO_LOG_FORMAT=json', 'json', true, { PANO_LOG_FORMAT: 'json' }],
    ['a pipe or file, PANO_LOG_FORMAT=pretty', 'pretty', false, { PANO_LOG_FORMAT: 'pretty' }],
    ['a terminal, PANO_LOG_FORMAT=auto', 'pretty', true, { PANO_LOG_FORMAT: 'auto' }],
  ] as const)('the format follows the destination and PANO_LOG_FORMAT: %s → %s', (_name, expected, isTTY, env) => {
    const { logger, out } = logWith({ isTTY, env, colorize: false });
    logger.info({ source: 'glpi' }, 'etl.source.done');
    const [line] = out.lines();
    if (expected === 'json') expect(JSON.parse(line!)).toMatchObject({ msg: 'etl.source.done', source: 'glpi' });
    else expect(line).toMatch(/^\d\d:\d\d:\d\d INFO: etl.source.done source=glpi$/);
  });

  it('an explicit format wins over PANO_LOG_FORMAT; the level comes from the options, else PANO_LOG_LEVEL', () => {
    const a = logWith({ format: 'json', isTTY: true, env: { PANO_LOG_FORMAT: 'pretty', PANO_LOG_LEVEL: 'warn' } });
    a.logger.info('not.shown');
    a.logger.warn('shown');
    expect(a.out.lines().map((l) => JSON.parse(l).msg)).toEqual(['shown']);
    const b = logWith({ format: 'json', level: 'info', env: { PANO_LOG_LEVEL: 'warn' } });
    b.logger.info('shown');
    expect(b.out.lines()).toHaveLength(1);
  });

  it('still takes a bare level, as before', () => {
    const logger = createLogger('error');
    expect(logger.level).toBe('error');
  });
});

describe('holdLogsWhileDrawing', () => {
  it('keeps lines back while the bars are drawn and writes them, in order, when they stop', () => {
    const { logger, out } = logWith({ format: 'pretty', colorize: false });
    const bars = new EventEmitter();
    holdLogsWhileDrawing(logger, bars);
    logger.warn('before.bars');
    bars.emit('start');
    bars.emit('start'); // every new bar emits start again
    logger.error({ source: 'hr_personnel' }, 'etl.source.failed');
    logger.child({ component: 'etl' }).warn('etl.child.warning');
    expect(out.lines().map((l) => l.slice(9))).toEqual(['WARN: before.bars']);
    bars.emit('stop');
    expect(out.lines().map((l) => l.slice(9))).toEqual([
      'WARN: before.bars',
      'ERROR: etl.source.failed source=hr_personnel',
      'WARN: etl.child.warning component=etl',
    ]);
    logger.warn('after.bars');
    expect(out.lines()).toHaveLength(4);
  });

  it('does nothing for a logger it did not make', async () => {
    const { silentLogger } = await import('../../common/logger.js');
    expect(() => holdLogsWhileDrawing(silentLogger, new EventEmitter())).not.toThrow();
  });
});

describe('process.exit right after a log line', () => {
  it('loses nothing: the last JSON line and the lines held behind progress bars are written', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pano-logger-'));
    const script = path.join(dir, 'exit.mts');
    fs.writeFileSync(
      script,
      [
        `import { EventEmitter } from 'node:events';`,
        `import { createLogger, holdLogsWhileDrawing } from ${JSON.stringify(pathToFileURL(path.resolve('common/logger.ts')).href)};`,
        `const json = createLogger({ format: 'json' });`,
        `const pretty = createLogger({ format: 'pretty' });`,
        `const bars = new EventEmitter();`,
        `holdLogsWhileDrawing(pretty, bars);`,
        `bars.emit('start');`,
        `for (let i = 0; i < 200; i++) json.info({ i, pad: 'x'.repeat(200) }, 'filler');`,
        `pretty.warn({ source: 'hr_personnel' }, 'etl.held.line');`,
        `json.error({ code: 'config_invalid' }, 'cli.last.line');`,
        `process.exit(3);`,
      ].join('\n'),
    );
    const run = promisify(execFile);
    const result = await run(process.execPath, ['--import', 'tsx', script], { cwd: process.cwd(), env: { ...process.env, NO_COLOR: '1' } }).then(
      () => ({ code: 0, stderr: '' }),
      (e: { code: number; stderr: string }) => ({ code: e.code, stderr: String(e.stderr) }),
    );
    fs.rmSync(dir, { recursive: true, force: true });
    expect(result.code).toBe(3);
    const lines = result.stderr.split('\n').filter(Boolean);
    expect(lines.filter((l) => l.includes('"filler"'))).toHaveLength(200);
    expect(JSON.parse(lines.at(-2)!)).toMatchObject({ level: 50, msg: 'cli.last.line', code: 'config_invalid' });
    expect(lines.at(-1)).toMatch(/^\d\d:\d\d:\d\d WARN: etl.held.line source=hr_personnel$/);
  });
});
