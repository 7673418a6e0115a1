#!/usr/bin/env node
// Per-project coverage: merges the coverage of a project's unit tier (coverage/<project>/unit)
// and integration tier (coverage/<project>/int), prints one line per project and exits 1 when
// a project's line coverage is below its floor in floors.json (or has no coverage at all).
//   node tools/coverage/check.mjs              every project in floors.json must have been measured
//   node tools/coverage/check.mjs --measured   only the projects measured in this run (nx affected)
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import libCoverage from 'istanbul-lib-coverage';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const floors = JSON.parse(readFileSync(join(here, 'floors.json'), 'utf8'));
const measuredOnly = process.argv.includes('--measured');
const TIERS = ['unit', 'int'];

const pct = (value) => (typeof value === 'number' ? value.toFixed(2).padStart(6) : '   n/a');
const failures = [];
const lines = [];
for (const [project, floor] of Object.entries(floors.projects)) {
  const files = TIERS.map((tier) => join(root, 'coverage', project, tier, 'coverage-final.json')).filter((file) => existsSync(file));
  if (files.length === 0) {
    if (!measuredOnly) failures.push(`${project}: no coverage found (run npm test, or nx run ${project}:test with coverage)`);
    continue;
  }
  const map = libCoverage.createCoverageMap({});
  for (const file of files) map.merge(JSON.parse(readFileSync(file, 'utf8')));
  const summary = map.getCoverageSummary();
  const ok = summary.lines.pct >= floor.lines;
  if (!ok) failures.push(`${project}: lines ${summary.lines.pct.toFixed(2)}% is below its floor of ${floor.lines}%`);
  lines.push(
    `${project.padEnd(18)} lines ${pct(summary.lines.pct)}% (floor ${String(floor.lines).padStart(3)}%)  ` +
      `branches ${pct(summary.branches.pct)}%  functions ${pct(summary.functions.pct)}%  ` +
      `${map.files().length} files, tiers: ${files.map((file) => file.split('/').at(-2)).join('+')}${ok ? '' : '  BELOW FLOOR'}`,
  );
}

console.log(`Coverage per project (unit + integration tiers merged):\n${lines.join('\n')}`);
if (failures.length > 0) {
  console.error(`\nCoverage check failed:\n  ${failures.join('\n  ')}`);
  process.exit(1);
}
