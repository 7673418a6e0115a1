// The short banner `npm start` prints once OMS is up: where each thing is, from the app's own
// "ready" log line (its `listening` field carries the bound addresses, real ports included).

/** `http://0.0.0.0:8080` -> `http://localhost:8080`: an address a browser on this machine opens. */
export function reachable(url) {
  return url.replace(/\/\/(0\.0\.0\.0|\[::\])(?=:)/, '//localhost').replace(/^(0\.0\.0\.0|\[::\])(?=:)/, 'localhost');
}

/**
 * @param listening {{ rest?: string, grpc?: string, ops?: string }} the ready line's `listening`
 * @param options {{ console: boolean, adminToken?: string, seeding: boolean }}
 */
export function bannerLines(listening, options) {
  const rest = listening.rest && reachable(listening.rest);
  const ops = listening.ops && reachable(listening.ops);
  const rows = [
    ['REST', rest],
    ['API docs', rest && `${rest}/docs`],
    ['Console', rest && (options.console ? `${rest}/console/` : 'off (OMS_CONSOLE_ENABLED=false)')],
    ['gRPC', listening.grpc && reachable(listening.grpc)],
    ['Metrics', ops && `${ops}/metrics`],
  ].filter(([, value]) => value);
  const lines = ['', 'OMS is up (standalone, memory drivers unless configured otherwise)'];
  for (const [name, value] of rows) lines.push(`  ${name.padEnd(9)} ${value}`);
  if (options.adminToken) lines.push(`  ${'Admin'.padEnd(9)} token for this run: ${options.adminToken} (the console asks for it once)`);
  lines.push(options.seeding ? '  Seeding: a handful of orders in every status (see the fixtures line below)' : '  Sample data: npm start -- --seed');
  lines.push('  Stop: Ctrl-C', '');
  return lines;
}
