import { ConfigError, configSecrets, redactSecrets, type ListenAddress, type OmsConfig } from '@oms/config';

/** Why a process could not start, said once: a sentence, and the list of problems when there are several. */
export interface StartupFailure {
  readonly message: string;
  readonly problems?: readonly string[];
  /** The error's stack, kept for LOG_LEVEL=debug / trace only (a failed start is not a bug report). */
  readonly stack?: string;
}

const LISTENER_VARIABLES = [
  ['OMS_HTTP_ADDR', (config: OmsConfig) => config.http.addr],
  ['OMS_GRPC_ADDR', (config: OmsConfig) => config.grpc.addr],
  ['OMS_METRICS_ADDR', (config: OmsConfig) => config.metrics.addr],
] as const;

/**
 * Turns whatever stopped the start-up into one clear statement. Adapters already throw errors
 * that say what failed and what to do (a missing topic, an unreachable database); this adds
 * the listener variable to an address in use and strips the framework's wrapping.
 */
export function describeStartupFailure(error: unknown, config?: OmsConfig): StartupFailure {
  if (error instanceof ConfigError) {
    const count = error.issues.length;
    return {
      message: `invalid configuration (${count} ${count === 1 ? 'problem' : 'problems'})`,
      problems: error.issues.map((issue) => `${issue.variable}: ${issue.reason}`),
    };
  }
  const secrets = config ? configSecrets(config) : [];
  const scrub = (text: string) => redactSecrets(text, secrets);
  const listen = listenFailure(error, config);
  if (listen) return { message: scrub(listen) };
  const text = messageOf(error);
  const stack = error instanceof Error && error.stack ? scrub(error.stack) : undefined;
  return { message: scrub(text), ...(stack ? { stack } : {}) };
}

/** EADDRINUSE / EACCES of a listener, named by the variable that placed it. */
function listenFailure(error: unknown, config: OmsConfig | undefined): string | undefined {
  const text = messageOf(error);
  const code = errnoCode(error) ?? /\b(EADDRINUSE|EACCES|EADDRNOTAVAIL)\b/.exec(text)?.[1];
  if (code !== 'EADDRINUSE' && code !== 'EACCES' && code !== 'EADDRNOTAVAIL') return undefined;
  const port = portOf(error) ?? Number(/:(\d{1,5})\b(?!.*:\d{1,5}\b)/.exec(text)?.[1] ?? NaN);
  const placed = config ? LISTENER_VARIABLES.filter(([, addrOf]) => addrOf(config).port === port) : [];
  const where = placed.length > 0 ? placed.map(([name, addrOf]) => `${name}=${show(addrOf(config as OmsConfig))}`).join(', ') : `port ${port}`;
  switch (code) {
    case 'EADDRINUSE':
      return `${where}: the address is already in use by another process; stop it or choose another port`;
    case 'EACCES':
      return `${where}: permission denied to listen there (ports below 1024 need privileges); choose another port`;
    default:
      return `${where}: the host is not an address of this machine; use one of its addresses or leave the host out (:port)`;
  }
}

function messageOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as { cause?: unknown }).cause;
  const causeText = cause instanceof Error ? cause.message : undefined;
  return causeText && !error.message.includes(causeText) ? `${error.message}: ${causeText}` : error.message;
}

function errnoCode(error: unknown): string | undefined {
  for (let current = error, depth = 0; current && typeof current === 'object' && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

function portOf(error: unknown): number | undefined {
  const port = (error as { port?: unknown } | undefined)?.port;
  return typeof port === 'number' ? port : undefined;
}

function show(addr: ListenAddress): string {
  return `${addr.host.includes(':') ? `[${addr.host}]` : addr.host}:${addr.port}`;
}
