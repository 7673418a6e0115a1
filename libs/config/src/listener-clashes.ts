import type { ConfigValues, VariableName } from './config.schema';
import type { ListenAddress } from './oms.config';

/** A listener a process opens, by the variable that places it. */
export type Listener = 'http' | 'grpc' | 'metrics';

const LISTENER_VARIABLES: Readonly<Record<Listener, 'OMS_HTTP_ADDR' | 'OMS_GRPC_ADDR' | 'OMS_METRICS_ADDR'>> = {
  http: 'OMS_HTTP_ADDR',
  grpc: 'OMS_GRPC_ADDR',
  metrics: 'OMS_METRICS_ADDR',
};

const WILDCARD_HOSTS = new Set(['0.0.0.0', '::', '']);

/**
 * Two listeners of one process on the same port of overlapping hosts: the second bind would
 * fail with EADDRINUSE, so it is refused with the configuration instead, naming both
 * variables. Port 0 (any free port) never clashes; `0.0.0.0` / `::` overlap every host.
 */
export function listenerClashes(
  values: Partial<ConfigValues>,
  listeners: readonly Listener[],
): { variable: VariableName; reason: string }[] {
  const issues: { variable: VariableName; reason: string }[] = [];
  const placed: { variable: VariableName; addr: ListenAddress }[] = [];
  for (const listener of listeners) {
    const variable = LISTENER_VARIABLES[listener];
    const addr = values[variable];
    if (!addr || addr.port === 0) continue;
    const earlier = placed.find((other) => other.addr.port === addr.port && hostsOverlap(other.addr.host, addr.host));
    if (earlier) {
      issues.push({
        variable,
        reason: `uses the same address as ${earlier.variable} (${show(earlier.addr)} and ${show(addr)}); give each listener its own port`,
      });
    } else {
      placed.push({ variable, addr });
    }
  }
  return issues;
}

function hostsOverlap(a: string, b: string): boolean {
  return a === b || WILDCARD_HOSTS.has(a) || WILDCARD_HOSTS.has(b);
}

function show(addr: ListenAddress): string {
  return `${addr.host.includes(':') ? `[${addr.host}]` : addr.host}:${addr.port}`;
}
