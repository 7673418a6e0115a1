import { Logger, type INestApplicationContext, type LoggerService } from '@nestjs/common';
import { parseConfig, type Environment, type Listener, type OmsConfig } from '@oms/config';
import type { Logger as PinoLogger } from 'pino';
import { startObservability } from '../observability.module';
import { OpsServer } from '../ops.server';
import { createOmsLogger } from '../oms.logger';
import { routeGrpcLogs } from './grpc-logs';
import { hostPort, ListenAddresses } from './listen-addresses';
import { describeStartupFailure } from './startup-failure';
import { StartupLogger } from './startup-logger';
import { writeStartupFailure, type StartupReportOptions } from './startup-report';

/** Exit status of a start that failed (the migrator's configuration errors use its own, 2). */
export const EXIT_START_FAILED = 1;

export interface StartupIo {
  readonly env?: Environment;
  readonly exit?: (code: number) => void;
  /** Where the failure line goes (default stderr). */
  readonly report?: StartupReportOptions;
  /** Where JSON log lines go (default stdout). */
  readonly logDestination?: NodeJS.WritableStream;
}

export interface ServiceSpec {
  readonly appName: string;
  /** The listeners the app opens; two on one address are a configuration error (default all three). */
  readonly listeners?: readonly Listener[];
  /**
   * Builds and starts the app (listening, consumers joined) with `logger` as Nest's logger
   * (NestFactory's `logger` option); the helper does the rest.
   */
  readonly start: (config: OmsConfig, logger: LoggerService) => Promise<INestApplicationContext>;
}

export interface CommandSpec {
  readonly appName: string;
  /** Exit status for invalid configuration (a CLI's "bad usage or configuration"). */
  readonly configErrorExitCode: number;
  /** Runs the command; resolves to the exit status. */
  readonly run: (config: OmsConfig) => Promise<number>;
}

/**
 * main.ts of every OMS service: load the configuration, start the app, then say once where it
 * listens. A start that fails (invalid configuration, a missing topic, a database or broker
 * out of reach, an address in use) prints ONE message — a JSON log line, or text on a
 * terminal — without framework stack traces, and exits 1.
 */
export async function runService(spec: ServiceSpec, io: StartupIo = {}): Promise<void> {
  const exit = io.exit ?? ((code: number) => process.exit(code));
  const loaded = loadOrReport(spec.appName, spec.listeners, io);
  if (!loaded) return exit(EXIT_START_FAILED);
  const { config, logger } = loaded;
  const startupLogger = new StartupLogger(logger);
  Logger.overrideLogger(startupLogger);
  routeGrpcLogs();
  let app: INestApplicationContext;
  try {
    app = await spec.start(config, startupLogger);
  } catch (error) {
    startupLogger.discard();
    writeStartupFailure(spec.appName, describeStartupFailure(error, config), reportOptions(config, io));
    return exit(EXIT_START_FAILED);
  }
  startObservability(app);
  startupLogger.release();
  const listening = listenersOf(app);
  logger.info(
    { listening: Object.fromEntries(listening.map(({ name, url }) => [name, url])) },
    `${spec.appName} ready: ${listening.map(({ name, url }) => `${name} ${url}`).join(', ')}`,
  );
}

/**
 * main.ts of a command-line tool (the migrator): configuration problems print one message and
 * exit with `configErrorExitCode`; the command's own status otherwise.
 */
export async function runCommand(spec: CommandSpec, io: StartupIo = {}): Promise<void> {
  const exit = io.exit ?? ((code: number) => process.exit(code));
  const loaded = loadOrReport(spec.appName, [], io);
  if (!loaded) return exit(spec.configErrorExitCode);
  try {
    process.exitCode = await spec.run(loaded.config);
  } catch (error) {
    writeStartupFailure(spec.appName, describeStartupFailure(error, loaded.config), reportOptions(loaded.config, io));
    exit(EXIT_START_FAILED);
  }
}

function loadOrReport(
  appName: string,
  listeners: readonly Listener[] | undefined,
  io: StartupIo,
): { config: OmsConfig; logger: PinoLogger } | undefined {
  try {
    const { config, warnings } = parseConfig(io.env ?? process.env, { appName, ...(listeners ? { listeners } : {}) });
    const logger = createOmsLogger(config, appName, io.logDestination);
    for (const warning of warnings) logger.warn(`config warning: ${warning}`);
    return { config, logger };
  } catch (error) {
    writeStartupFailure(appName, describeStartupFailure(error), io.report);
    return undefined;
  }
}

function reportOptions(config: OmsConfig, io: StartupIo): StartupReportOptions {
  return { ...io.report, withStack: config.logLevel === 'debug' || config.logLevel === 'trace' };
}

/** REST from the Nest HTTP server, the rest from what the listeners recorded. */
function listenersOf(app: INestApplicationContext): readonly { name: string; url: string }[] {
  const found: { name: string; url: string }[] = [];
  const http = (app as { getHttpServer?: () => { address(): unknown } }).getHttpServer?.();
  const bound = http?.address() as { address: string; port: number } | string | null | undefined;
  if (bound && typeof bound === 'object') found.push({ name: 'rest', url: `http://${hostPort(bound.address, bound.port)}` });
  found.push(...optional(app, ListenAddresses)?.list() ?? []);
  if (!found.some((listener) => listener.name === 'ops')) {
    const ops = optional(app, OpsServer)?.address();
    if (ops) found.push({ name: 'ops', url: `http://${hostPort(ops.host, ops.port)}` });
  }
  return found.sort((a, b) => rank(a.name) - rank(b.name));
}

/** rest, grpc, then any other, ops last. */
function rank(name: string): number {
  return name === 'rest' ? 0 : name === 'grpc' ? 1 : name === 'ops' ? 3 : 2;
}

function optional<T>(app: INestApplicationContext, token: abstract new (...args: never[]) => T): T | undefined {
  try {
    return app.get(token, { strict: false });
  } catch {
    return undefined;
  }
}
