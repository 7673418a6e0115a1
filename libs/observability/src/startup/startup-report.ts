import type { StartupFailure } from './startup-failure';

export interface StartupReportOptions {
  /** Where the line goes (default stderr). */
  readonly stream?: NodeJS.WritableStream & { readonly isTTY?: boolean };
  /** Readable text instead of a JSON line; default: when the stream is a terminal. */
  readonly text?: boolean;
  /** Adds the stack (debug and trace only). */
  readonly withStack?: boolean;
  readonly now?: () => Date;
}

/**
 * Writes the one message of a failed start: a JSON line in the shape of every other log line
 * (level `fatal`), so log pipelines keep it, or plain text for a person at a terminal.
 */
export function writeStartupFailure(appName: string, failure: StartupFailure, options: StartupReportOptions = {}): void {
  const stream = options.stream ?? process.stderr;
  const text = options.text ?? stream.isTTY === true;
  const headline = `${appName} failed to start: ${failure.message}`;
  const stack = options.withStack ? failure.stack : undefined;
  if (text) {
    const lines = [headline, ...(failure.problems ?? []).map((problem) => `  - ${problem}`), ...(stack ? [stack] : [])];
    stream.write(`${lines.join('\n')}\n`);
    return;
  }
  const line = {
    level: 'fatal',
    time: (options.now?.() ?? new Date()).toISOString(),
    app: appName,
    pid: process.pid,
    msg: failure.problems ? `${headline}: ${failure.problems.join('; ')}` : headline,
    ...(failure.problems ? { problems: failure.problems } : {}),
    ...(stack ? { stack } : {}),
  };
  stream.write(`${JSON.stringify(line)}\n`);
}
