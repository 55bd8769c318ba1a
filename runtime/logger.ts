// The root pino logger, configured from log_level / log_format / log_path as the original registrar's
// were (SPIRE pkg/common/log: logrus levels, TEXT or JSON format, append to log_path else stderr).
// JSON lines keep logrus' JSON keys (level as a name, msg, time); text lines use logrus' text layout,
// written by a small synchronous formatter (logrus-text.ts) rather than a worker-thread transport, so a
// crash never loses the last lines. Components take `logger.child({ component })`.
import pino, { type DestinationStream, type Level, type Logger } from 'pino';
import type { CommonConfig, LogLevel } from './config/registrar-config.js';
import { formatLogrusText } from './logrus-text.js';

export type LoggerOptions = Pick<CommonConfig, 'logLevel' | 'logFormat' | 'logPath'>;

/** Where finished lines go; tests pass an array-backed sink to capture them. */
export type LogSink = { write(line: string): unknown };

// logrus has a panic level above fatal; pino does not, and the registrar never panics on purpose.
const PINO_LEVEL: Readonly<Record<LogLevel, Level>> = {
  panic: 'fatal',
  fatal: 'fatal',
  error: 'error',
  warn: 'warn',
  info: 'info',
  debug: 'debug',
  trace: 'trace',
};

// The names logrus prints (its warn level prints as "warning").
const LEVEL_NAME: Readonly<Record<string, string>> = { warn: 'warning' };

export function createLogger(options: LoggerOptions, destination?: LogSink, now: () => number = Date.now): Logger {
  const sink = destination ?? defaultSink(options.logPath);
  const stream: DestinationStream =
    options.logFormat === 'json' ? { write: (line) => void sink.write(line) } : { write: (line) => void sink.write(formatLogrusText(JSON.parse(line))) };
  return pino(
    {
      level: PINO_LEVEL[options.logLevel],
      base: undefined,
      timestamp: () => `,"time":"${new Date(now()).toISOString()}"`,
      formatters: { level: (label) => ({ level: LEVEL_NAME[label] ?? label }) },
    },
    stream,
  );
}

function defaultSink(logPath: string | undefined): LogSink {
  if (logPath === undefined) return pino.destination({ fd: 2, sync: true });
  // Append, create if missing (0640 as SPIRE's WithOutputFile), synchronous writes.
  return pino.destination({ dest: logPath, append: true, mkdir: true, sync: true, mode: 0o640 });
}
