import './tracing'; // first: OpenTelemetry hooks module loading before anything else loads
import 'reflect-metadata';
import { runCommand } from '@oms/observability';
import { EXIT_USAGE, runMigratorCli } from './migrator.cli';

// migrate up | down | status, projections rebuild, ...: see migrator.args.ts (USAGE). Invalid
// configuration exits 2, as the usage text says.
void runCommand({
  appName: 'migrator',
  configErrorExitCode: EXIT_USAGE,
  run: (config) =>
    runMigratorCli(process.argv.slice(2), config, {
      out: (line) => process.stdout.write(`${line}\n`),
      err: (line) => process.stderr.write(`${line}\n`),
    }),
});
