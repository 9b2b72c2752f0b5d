import pino, { type Logger } from 'pino';

export type { Logger };

/** One structured logger. Messages are stable event names (`etl.load.done`) with fields; never credentials. */
export function createLogger(level: string = process.env.PANO_LOG_LEVEL ?? 'info'): Logger {
  const pretty = process.stdout.isTTY && !process.env.CI && process.env.PANO_LOG_FORMAT !== 'json';
  return pino({
    level,
    base: undefined,
    redact: { paths: ['password', '*.password', 'token', '*.token', 'authorization', '*.authorization'], censor: '[gizli]' },
    ...(pretty ? { transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname' } } } : {}),
  });
}

export const silentLogger: Logger = pino({ level: 'silent' });
