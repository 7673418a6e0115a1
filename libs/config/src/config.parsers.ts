import { isIP } from 'node:net';
import type { ListenAddress } from './oms.config';

/**
 * Parsers turn one raw variable value into a typed value or throw an Error whose message says
 * why the value is refused (without echoing it: the loader decides whether it may be shown).
 */
export type Parser<T> = (raw: string) => T;

const DURATION_UNITS_MS: Readonly<Record<string, number>> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
};

/**
 * Go-style durations (`50ms`, `10s`, `1h30m`, `1.5h`, `0`) to whole milliseconds, so values
 * copied from the Go OMS deployment keep working.
 */
export const duration: Parser<number> = (raw) => {
  const text = raw.trim();
  if (text === '0') return 0;
  const part = /(\d+(?:\.\d+)?|\.\d+)(ns|us|µs|ms|s|m|h)/gy;
  let total = 0;
  let consumed = 0;
  for (let match = part.exec(text); match; match = part.exec(text)) {
    total += Number(match[1]) * (DURATION_UNITS_MS[match[2] as string] as number);
    consumed = part.lastIndex;
  }
  if (text === '' || consumed !== text.length) {
    throw new Error('must be a duration such as 50ms, 10s, 10m, 1h or 0 (units ns, us, ms, s, m, h)');
  }
  if (!Number.isInteger(Math.round(total * 1e6) / 1e6)) {
    throw new Error('must be a whole number of milliseconds');
  }
  const ms = Math.round(total);
  if (!Number.isSafeInteger(ms)) throw new Error('is too large');
  return ms;
};

/** The longest delay Node.js timers keep; a longer one fires after 1 ms. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** A duration that becomes a timer's delay (at most MAX_TIMER_MS, about 24.8 days). */
export const timerDuration: Parser<number> = (raw) => {
  const ms = duration(raw);
  if (ms > MAX_TIMER_MS) throw new Error(`must be at most ${MAX_TIMER_MS} ms (about 24.8 days), the longest timer Node.js keeps`);
  return ms;
};

/** A duration of at most `maxMs`; `why` says what a longer one would do. */
export function durationAtMost(maxMs: number, why: string): Parser<number> {
  return (raw) => {
    const ms = duration(raw);
    if (ms > maxMs) throw new Error(`must be at most ${maxMs} ms: ${why}`);
    return ms;
  };
}

const SIZE_UNITS: Readonly<Record<string, number>> = {
  '': 1,
  b: 1,
  kb: 1024,
  kib: 1024,
  mb: 1024 ** 2,
  mib: 1024 ** 2,
  gb: 1024 ** 3,
  gib: 1024 ** 3,
};

/** Byte sizes: `1048576`, `512kb`, `1mb`, `1gb` (binary multiples, case-insensitive). */
export const size: Parser<number> = (raw) => {
  const match = /^(\d+)\s*([a-z]*)$/i.exec(raw.trim());
  const unit = match ? SIZE_UNITS[(match[2] as string).toLowerCase()] : undefined;
  if (!match || unit === undefined) {
    throw new Error('must be a size such as 512kb, 1mb or a number of bytes (units b, kb, mb, gb)');
  }
  const bytes = Number(match[1]) * unit;
  if (!Number.isSafeInteger(bytes)) throw new Error('is too large');
  return bytes;
};

function splitHostPort(raw: string): { host: string; port: string } {
  const text = raw.trim();
  const bracketed = /^\[([^\]]+)\]:(\d*)$/.exec(text);
  if (bracketed) return { host: bracketed[1] as string, port: bracketed[2] as string };
  const colon = text.lastIndexOf(':');
  if (colon < 0 || text.indexOf(':') !== colon) {
    throw new Error('must be host:port or :port (IPv6 hosts in brackets, [::1]:8080)');
  }
  return { host: text.slice(0, colon), port: text.slice(colon + 1) };
}

function port(text: string, allowZero: boolean): number {
  const value = /^\d{1,5}$/.test(text) ? Number(text) : NaN;
  if (!(value >= (allowZero ? 0 : 1) && value <= 65535)) {
    throw new Error(`must end with a port ${allowZero ? '0' : '1'}..65535`);
  }
  return value;
}

/**
 * Listen addresses like Go's net.Listen: `:8080` (all interfaces), `127.0.0.1:8080`,
 * `[::]:8080`. Port 0 asks the OS for a free port (tests).
 */
export const listenAddress: Parser<ListenAddress> = (raw) => {
  const { host, port: portText } = splitHostPort(raw);
  return { host: host === '' ? '0.0.0.0' : host, port: port(portText, true) };
};

/** An address to dial: `host:port`, both required. Kept as the original string. */
export const dialAddress: Parser<string> = (raw) => {
  const { host, port: portText } = splitHostPort(raw);
  if (host === '') throw new Error('must be host:port with a host');
  port(portText, false);
  return raw.trim();
};

/** A comma-separated list of `host:port` addresses (KAFKA_BROKERS). */
export const dialAddressList: Parser<readonly string[]> = (raw) => {
  const items = raw
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
  if (items.length === 0) throw new Error('must list at least one host:port');
  return items.map((item) => {
    try {
      return dialAddress(item);
    } catch (error) {
      throw new Error(`entry "${item}" ${(error as Error).message}`);
    }
  });
};

/**
 * A comma-separated list of IP addresses and CIDR ranges (`10.0.0.0/8, 192.168.1.7, fd00::/8`);
 * empty = none. The form Fastify's `trustProxy` takes.
 */
export const cidrList: Parser<readonly string[]> = (raw) =>
  raw
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '')
    .map((item) => {
      const [address = '', prefix, extra] = item.split('/');
      const family = isIP(address);
      if (family === 0 || extra !== undefined) throw new Error(`entry "${item}" must be an IP address or a CIDR range (address/prefix)`);
      const widest = family === 4 ? 32 : 128;
      if (prefix !== undefined && !(/^\d{1,3}$/.test(prefix) && Number(prefix) <= widest)) {
        throw new Error(`entry "${item}" has a prefix length outside 0-${widest}`);
      }
      return item;
    });

/** `true` / `false` / `1` / `0` (case-insensitive). */
export const boolean: Parser<boolean> = (raw) => {
  const text = raw.trim().toLowerCase();
  if (text === 'true' || text === '1') return true;
  if (text === 'false' || text === '0') return false;
  throw new Error('must be true, false, 1 or 0');
};

/** One of a closed set of words (case-sensitive, like the Go OMS). */
export function oneOf<const T extends string>(values: readonly T[]): Parser<T> {
  return (raw) => {
    const text = raw.trim();
    if ((values as readonly string[]).includes(text)) return text as T;
    throw new Error(`must be one of ${values.join(', ')}`);
  };
}

/** A decimal integer within [min, max]. */
export function integer(min: number, max: number = Number.MAX_SAFE_INTEGER): Parser<number> {
  return (raw) => {
    const text = raw.trim();
    const value = /^-?\d+$/.test(text) ? Number(text) : NaN;
    if (!Number.isSafeInteger(value) || value < min || value > max) {
      throw new Error(
        max === Number.MAX_SAFE_INTEGER ? `must be an integer >= ${min}` : `must be an integer ${min}..${max}`,
      );
    }
    return value;
  };
}

/** A decimal number within [min, max] (ratios such as an error rate). */
export function decimal(min: number, max: number): Parser<number> {
  return (raw) => {
    const text = raw.trim();
    const value = /^-?(\d+(\.\d*)?|\.\d+)$/.test(text) ? Number(text) : NaN;
    if (!(value >= min && value <= max)) throw new Error(`must be a number ${min}..${max}`);
    return value;
  };
}

/** Free text that must not be blank. */
export const text: Parser<string> = (raw) => {
  const value = raw.trim();
  if (value === '') throw new Error('must not be empty');
  return value;
};

/** Shortest bearer token accepted: a guessable one would open the admin API to anyone. */
export const MIN_TOKEN_LENGTH = 16;

/** A bearer token: at least 16 visible ASCII characters, no spaces (a trailing newline of a file is dropped). */
export const bearerToken: Parser<string> = (raw) => {
  const value = raw.replace(/\r?\n$/, '');
  if (!/^[\x21-\x7e]+$/.test(value)) throw new Error('must be visible ASCII characters without spaces');
  if (value.length < MIN_TOKEN_LENGTH) throw new Error(`must be at least ${MIN_TOKEN_LENGTH} characters`);
  return value;
};

/** A PostgreSQL connection string: a postgres:// URL or libpq `key=value` pairs. */
export const postgresDsn: Parser<string> = (raw) => {
  const value = raw.trim();
  if (/^postgres(ql)?:\/\//i.test(value)) {
    try {
      new URL(value);
    } catch {
      throw new Error('is not a valid postgres:// URL');
    }
    return value;
  }
  if (/^\s*\w+\s*=/.test(value)) return value;
  throw new Error('must be a postgres:// URL or libpq key=value pairs');
};

/** A PEM document (certificate, key or CA bundle). */
export const pem: Parser<string> = (raw) => {
  if (!/-----BEGIN [A-Z0-9 ]+-----[\s\S]+-----END [A-Z0-9 ]+-----/.test(raw)) {
    throw new Error('must be a PEM document (-----BEGIN ...-----)');
  }
  return raw;
};
