import type { LoggerService, LogLevel } from '@nestjs/common';
import type { Level, Logger } from 'pino';

const STACK = /\n[ \t]+at .+:\d+:\d+/;

const NEST_TO_PINO: Record<LogLevel, Level> = {
  fatal: 'fatal',
  error: 'error',
  warn: 'warn',
  log: 'info',
  debug: 'debug',
  verbose: 'trace',
};
const PINO_ORDER: readonly Level[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];

/**
 * Nest's LoggerService over pino, so Nest's own lines are JSON too:
 * `NestFactory.create(AppModule, { logger: new NestPinoLogger(logger) })`.
 * Follows Nest's argument conventions: a trailing string is the context, and for
 * error/fatal a string that looks like a stack trace is the stack.
 */
export class NestPinoLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, ...params: unknown[]): void {
    this.write('info', message, params, false);
  }
  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params, true);
  }
  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params, false);
  }
  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params, false);
  }
  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params, false);
  }
  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params, true);
  }

  /** Nest passes the levels it wants; pino has one threshold, so take the most verbose. */
  setLogLevels(levels: LogLevel[]): void {
    const wanted = levels.map((l) => PINO_ORDER.indexOf(NEST_TO_PINO[l]));
    this.logger.level = wanted.length === 0 ? 'silent' : (PINO_ORDER[Math.min(...wanted)] ?? 'info');
  }

  private write(level: Level, message: unknown, params: unknown[], mayHaveStack: boolean): void {
    const fields: Record<string, unknown> = {};
    const rest = [...params];
    if (
      rest.length > 0 &&
      typeof rest.at(-1) === 'string' &&
      !(mayHaveStack && STACK.test(rest.at(-1) as string))
    ) {
      fields['context'] = rest.pop();
    }
    if (mayHaveStack) {
      const stackAt = rest.findIndex((p) => typeof p === 'string' && STACK.test(p));
      if (stackAt >= 0) fields['stack'] = rest.splice(stackAt, 1)[0];
    }
    for (const param of rest) {
      if (param instanceof Error) fields['err'] = param;
      else if (param !== null && typeof param === 'object') Object.assign(fields, param);
      else if (param !== undefined) ((fields['params'] ??= []) as unknown[]).push(param);
    }
    if (message instanceof Error) {
      this.logger[level]({ ...fields, err: message }, message.message);
    } else if (message !== null && typeof message === 'object') {
      this.logger[level]({ ...fields, ...message });
    } else {
      this.logger[level](fields, String(message));
    }
  }
}
