import type { LoggerService } from '@nestjs/common';
import type { Logger as PinoLogger } from 'pino';

type Level = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';

/**
 * Nest's logger while an app starts, before its own pino logger takes over: the same JSON
 * lines from the first one. Warnings go out at once (a start-up that waits, for a migration
 * say, tells why); everything else is held until the start-up ends, because a failed start is
 * reported once by the start-up helper, while Nest (its ExceptionHandler, a failed listen)
 * reports the same failure again on the way out, between the progress lines of every module.
 * The Kafka client's warnings are held too: they are its connection retries, whose outcome
 * the start-up reports. If the start succeeds, the held lines are written in order; if it
 * fails, only at debug level.
 */
export class StartupLogger implements LoggerService {
  private held: { level: Level; message: unknown; params: unknown[] }[] = [];

  constructor(
    private readonly pino: PinoLogger,
    private readonly heldWarnings: ReadonlySet<string> = new Set(['Kafka']),
  ) {}

  log(message: unknown, ...params: unknown[]): void {
    this.hold('info', message, params);
  }

  warn(message: unknown, ...params: unknown[]): void {
    if (this.heldWarnings.has(contextOf(params) ?? '')) this.hold('warn', message, params);
    else this.write('warn', message, params);
  }

  debug(message: unknown, ...params: unknown[]): void {
    this.hold('debug', message, params);
  }

  verbose(message: unknown, ...params: unknown[]): void {
    this.hold('trace', message, params);
  }

  error(message: unknown, ...params: unknown[]): void {
    this.hold('error', message, params);
  }

  fatal(message: unknown, ...params: unknown[]): void {
    this.hold('fatal', message, params);
  }

  /** The start succeeded: what was held back is written now, in order, at its level. */
  release(): void {
    for (const { level, message, params } of this.takeHeld()) this.write(level, message, params);
  }

  /** The start failed and is reported on its own: the held lines only at debug level. */
  discard(): void {
    for (const { level, message, params } of this.takeHeld()) this.write(level === 'trace' ? 'trace' : 'debug', message, params);
  }

  private hold(level: Level, message: unknown, params: unknown[]): void {
    this.held.push({ level, message, params });
  }

  private takeHeld(): { level: Level; message: unknown; params: unknown[] }[] {
    const held = this.held;
    this.held = [];
    return held;
  }

  private write(level: Level, message: unknown, params: unknown[]): void {
    const context = contextOf(params);
    const fields: Record<string, unknown> = context ? { context } : {};
    if (message instanceof Error) {
      this.pino[level]({ ...fields, err: message }, message.message);
      return;
    }
    this.pino[level](fields, typeof message === 'string' ? message : JSON.stringify(message));
  }
}

/** Nest passes the context last (a string); an error's stack comes before it. */
function contextOf(params: readonly unknown[]): string | undefined {
  const last = params[params.length - 1];
  return typeof last === 'string' ? last : undefined;
}
