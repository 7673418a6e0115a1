#!/usr/bin/env node
// Where a process spent its CPU, from a `.cpuprofile` written by `--profile APP`:
// self time by area (OMS code, each npm package, Node's own modules, GC, idle) and the
// functions with the most self time.
//
//   node tools/bench/profile-top.mjs FILE.cpuprofile [--top 25] [--skip SECONDS]
//
// --skip leaves out the first seconds of the profile (start-up: module loading, connections),
// so a profile of a short or idle run shows what the running process does.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

/** Self time in ms per profile node id, from the sample stream; samples in the first `skipMs` left out. */
export function selfTimes(profile, skipMs = 0) {
  const times = new Map();
  let at = 0;
  profile.samples.forEach((id, index) => {
    const ms = (profile.timeDeltas[index] ?? 0) / 1000;
    at += ms;
    if (at > skipMs) times.set(id, (times.get(id) ?? 0) + ms);
  });
  return times;
}

/** The area a call frame belongs to: a package name, `node:internal`, `OMS`, or V8's own entries. */
export function areaOf({ url, functionName }) {
  if (!url) return ['(idle)', '(program)', '(garbage collector)'].includes(functionName) ? functionName : '(native)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1];
  if (url.startsWith('node:')) return 'node:internal';
  return 'OMS';
}

export function summarize(profile, top = 25, skipMs = 0) {
  const times = selfTimes(profile, skipMs);
  const total = [...times.values()].reduce((sum, ms) => sum + ms, 0);
  const areas = new Map();
  const functions = new Map();
  for (const node of profile.nodes) {
    const ms = times.get(node.id) ?? 0;
    if (ms === 0) continue;
    const area = areaOf(node.callFrame);
    areas.set(area, (areas.get(area) ?? 0) + ms);
    const where = node.callFrame.url ? `${node.callFrame.url.split('/').slice(-2).join('/')}:${node.callFrame.lineNumber + 1}` : '';
    const key = `${node.callFrame.functionName || '(anonymous)'} ${where}`.trim();
    functions.set(key, { area, ms: (functions.get(key)?.ms ?? 0) + ms });
  }
  const busy = total - (areas.get('(idle)') ?? 0);
  const pct = (ms) => `${((100 * ms) / busy).toFixed(1)}%`;
  const lines = [`${skipMs > 0 ? `after the first ${skipMs / 1000} s: ` : ''}sampled ${(total / 1000).toFixed(1)} s, busy ${(busy / 1000).toFixed(1)} s (shares below are of busy time)`, '', 'by area:'];
  for (const [area, ms] of [...areas].filter(([name]) => name !== '(idle)').sort((a, b) => b[1] - a[1]).slice(0, 15)) lines.push(`  ${pct(ms).padStart(6)}  ${(ms / 1000).toFixed(2).padStart(7)} s  ${area}`);
  lines.push('', `top ${top} functions by self time:`);
  for (const [name, { area, ms }] of [...functions].filter(([, entry]) => entry.area !== '(idle)').sort((a, b) => b[1].ms - a[1].ms).slice(0, top)) lines.push(`  ${pct(ms).padStart(6)}  ${name}  [${area}]`);
  return lines.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: 'string', default: '25' }, skip: { type: 'string', default: '0' } } });
  const skip = Number(values.skip);
  if (positionals.length !== 1 || !(skip >= 0)) {
    console.error('usage: node tools/bench/profile-top.mjs FILE.cpuprofile [--top 25] [--skip SECONDS]');
    process.exit(2);
  }
  let profile;
  try {
    profile = JSON.parse(readFileSync(positionals[0], 'utf8'));
  } catch (error) {
    console.error(`profile-top: cannot read ${positionals[0]}: ${error.message}`);
    process.exit(2);
  }
  console.log(summarize(profile, Number(values.top), skip * 1000));
}
