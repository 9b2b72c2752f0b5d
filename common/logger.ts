import pino, { type Logger } from 'pino';
import { prettyFactory } from 'pino-pretty';

export type { Logger };

/**
 * How log lines look: `json` (one JSON object a line, for journald, files and log shippers) or `pretty`
 * (one short human line: `14:02:11 WARN: etl.source.failed source=hr_personnel err="…"`).
 */
export type LogFormat = 'json' | 'pretty';
/** PANO_LOG_FORMAT: `auto` (the default) is pretty when the log destination is a terminal, JSON otherwise. */
export type LogFormatSetting = LogFormat | 'auto';

/** Where log lines go: anything with a synchronous `write`. `isTTY` decides `auto` and colours. */
export interface LogDestination {
  write(line: string): unknown;
  isTTY?: boolean;
}

export interface LoggerOptions {
  level?: string;
  /** Default: PANO_LOG_FORMAT, else `auto`. */
  format?: LogFormatSetting;
  /**
   * Default: standard error, written synchronously (a line logged just before `process.exit` is not lost).
   * Standard error keeps standard output for what a command prints: its tables, a JSON answer, an API key.
   */
  destination?: LogDestination;
  /** Colours in pretty lines. Default: on a terminal, unless NO_COLOR is set or TERM=dumb (FORCE_COLOR forces them). */
  colorize?: boolean;
  /** Where PANO_LOG_LEVEL, PANO_LOG_FORMAT, NO_COLOR… are read when not given. Default process.env. */
  env?: NodeJS.ProcessEnv;
}

/** The format a setting means for a destination that is (or is not) a terminal. Unknown settings count as `auto`. */
export function resolveLogFormat(setting: string | undefined, isTTY: boolean): LogFormat {
  const s = (setting ?? '').trim().toLowerCase();
  if (s === 'json' || s === 'pretty') return s;
  return isTTY ? 'pretty' : 'json';
}

/**
 * One structured logger. Messages are stable event names (`etl.load.done`) with fields; never credentials.
 * `createLogger('warn')` (a level) still works; options say more. Pretty lines are made by pino-pretty in this
 * process, synchronously: no worker thread, so nothing is lost or reordered when the process exits.
 */
export function createLogger(levelOrOptions: string | LoggerOptions = {}): Logger {
  const opts: LoggerOptions = typeof levelOrOptions === 'string' ? { level: levelOrOptions } : levelOrOptions;
  const env = opts.env ?? process.env;
  const out: LogDestination = opts.destination ?? stderrDestination();
  const isTTY = Boolean(out.isTTY);
  const format = resolveLogFormat(opts.format ?? env.PANO_LOG_FORMAT, isTTY);
  const sink = new LogSink(out, format === 'pretty' ? prettyLine(opts.colorize ?? colourWanted(isTTY, env)) : null);
  const logger = pino(
    {
      level: opts.level ?? env.PANO_LOG_LEVEL ?? 'info',
      base: undefined,
      redact: { paths: ['password', '*.password', 'token', '*.token', 'authorization', '*.authorization'], censor: '[gizli]' },
    },
    sink,
  );
  sinks.set(logger, sink);
  return logger;
}

/** Something that draws on the terminal between its `start` and `stop` events (a cli-progress MultiBar). */
export interface TerminalDrawing {
  on(event: 'start' | 'stop', listener: () => void): unknown;
}

/**
 * Keeps the lines of `logger` (a logger from createLogger, and its children) back while `drawing` is on the
 * terminal, and writes them when it stops: progress bars redraw themselves by moving the cursor up over their
 * own lines, so a line written in between would tear them apart. The lines keep their own time stamps, and are
 * written at exit if the drawing never stops.
 */
export function holdLogsWhileDrawing(logger: Logger, drawing: TerminalDrawing): void {
  const sink = sinks.get(logger);
  if (!sink) return;
  drawing.on('start', () => sink.hold());
  drawing.on('stop', () => sink.release());
}

const sinks = new WeakMap<Logger, LogSink>();

/** pino's destination: JSON lines as they are, or each turned into a pretty line; held back on request. */
class LogSink {
  private held: string[] | null = null;
  private readonly flushAtExit = () => this.release();

  constructor(
    private readonly out: LogDestination,
    private readonly render: ((json: string) => string) | null,
  ) {}

  write(json: string): void {
    const text = this.render ? this.render(json) : json;
    if (this.held) this.held.push(text);
    else this.out.write(text);
  }

  hold(): void {
    if (this.held) return;
    this.held = [];
    process.once('exit', this.flushAtExit);
  }

  release(): void {
    const lines = this.held;
    if (!lines) return;
    this.held = null;
    process.removeListener('exit', this.flushAtExit);
    if (lines.length) this.out.write(lines.join(''));
  }
}

let stderr: LogDestination | undefined;
/** Standard error through sonic-boom, synchronous (it retries a full pipe instead of dropping the line). */
function stderrDestination(): LogDestination {
  if (!stderr) {
    const dest = pino.destination({ dest: 2, sync: true });
    stderr = { write: (line) => dest.write(line), isTTY: process.stderr.isTTY };
  }
  return stderr;
}

function colourWanted(isTTY: boolean, env: NodeJS.ProcessEnv): boolean {
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false') return true;
  if (env.NO_COLOR) return false;
  return isTTY && env.TERM !== 'dumb';
}

/** Fields every line has, or that say nothing at a terminal. */
const NOT_A_FIELD = new Set(['level', 'time', 'msg', 'pid', 'hostname']);

/** pino-pretty set up for a terminal: `HH:MM:ss LEVEL: message key=value …`, local time, on one line. */
function prettyLine(colorize: boolean): (json: string) => string {
  return prettyFactory({
    colorize,
    translateTime: 'SYS:HH:MM:ss',
    ignore: 'pid,hostname',
    hideObject: true,
    customPrettifiers: { time: (t) => String(t) },
    messageFormat: (log, messageKey, _levelLabel, { colors }) => {
      const parts: string[] = [];
      const msg = log[messageKey];
      if (msg !== undefined) parts.push(typeof msg === 'string' ? oneLine(msg) : String(msg));
      for (const [key, value] of Object.entries(log)) {
        if (key === messageKey || NOT_A_FIELD.has(key) || value === null || value === undefined) continue;
        if (Array.isArray(value) && value.length === 0) continue;
        parts.push(`${colors.gray(`${key}=`)}${formatValue(value)}`);
      }
      return parts.join(' ');
    },
  });
}

const BARE = /^[^\s"'=\\\p{Cc}]+$/u;

/** A field's value, short: bare words bare, other strings quoted, lists with commas, objects as short JSON. */
function formatValue(value: unknown): string {
  if (typeof value === 'string') return BARE.test(value) ? truncate(value, 200) : JSON.stringify(truncate(value, 200));
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (Array.isArray(value) && value.every((v) => typeof v === 'string' && BARE.test(v))) return truncate(value.join(','), 120);
  if (isErrorLike(value)) return formatValue(value.message);
  return truncate(JSON.stringify(value) ?? String(value), 120);
}

function isErrorLike(v: unknown): v is { message: string } {
  return typeof v === 'object' && v !== null && typeof (v as { message?: unknown }).message === 'string' && ('stack' in v || 'type' in v);
}

function truncate(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

function oneLine(s: string): string {
  return s.replace(/[\r\n]+/g, ' ').replace(/\p{Cc}/gu, '');
}

export const silentLogger: Logger = pino({ level: 'silent' });
