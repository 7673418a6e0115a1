#!/usr/bin/env node
// Fault proxies for manual runs: one per link named on the command line, driven from stdin.
//
//   node tools/fault-proxy/cli.mjs pg=15432:127.0.0.1:5432 kafka=19092:127.0.0.1:9092
//
// Prints one line per link ("pg 127.0.0.1:15432 -> 127.0.0.1:5432"), then reads commands, one per
// line, each answered "ok" or "error: ...":
//   set <link> [latencyMs=N] [bytesPerSecond=N] [blackhole=true|false]   (unnamed faults: none)
//   reset <link>                                                          (destroy its connections)
// A Kafka cluster needs the metadata-rewriting proxy in front (tools/chaos/lib/links.mjs).
import { createInterface } from 'node:readline';
import { startFaultProxy } from './fault-proxy.mjs';

/** `set` arguments ("latencyMs=300", "blackhole=true") -> the faults object. */
export function parseFaults(words) {
  const faults = {};
  for (const word of words) {
    const [key, value] = word.split('=');
    if (value === undefined) throw new Error(`expected name=value, got "${word}"`);
    faults[key] = value === 'true' ? true : value === 'false' ? false : Number(value);
  }
  return faults;
}

/** "name=LISTEN_PORT:HOST:PORT" -> { name, listen, upstream }. */
export function parseLink(spec) {
  const match = /^([\w.-]+)=(\d+):(.+:\d+)$/.exec(spec);
  if (!match) throw new Error(`a link is name=LISTEN_PORT:HOST:PORT, got "${spec}"`);
  return { name: match[1], listen: Number(match[2]), upstream: match[3] };
}

async function main(specs) {
  if (specs.length === 0) throw new Error('usage: cli.mjs name=LISTEN_PORT:HOST:PORT ...');
  const links = new Map();
  for (const spec of specs) {
    const { name, listen, upstream } = parseLink(spec);
    const proxy = await startFaultProxy({ upstream, listen, name });
    links.set(name, proxy);
    console.log(`${name} ${proxy.address} -> ${upstream}`);
  }
  const stop = async () => {
    await Promise.all([...links.values()].map((proxy) => proxy.stop()));
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  for await (const line of createInterface({ input: process.stdin })) {
    const [verb, name, ...rest] = line.trim().split(/\s+/);
    if (!verb) continue;
    try {
      const proxy = links.get(name);
      if (!proxy) throw new Error(`unknown link "${name}" (links: ${[...links.keys()].join(', ')})`);
      if (verb === 'set') proxy.set(parseFaults(rest));
      else if (verb === 'reset') proxy.reset();
      else throw new Error('commands are: set <link> [latencyMs=N] [bytesPerSecond=N] [blackhole=true|false] | reset <link>');
      console.log('ok');
    } catch (error) {
      console.log(`error: ${error.message}`);
    }
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main(process.argv.slice(2)).catch((error) => {
    console.error(`fault-proxy: ${error.message}`);
    process.exit(2);
  });
}
