import './tracing'; // first: OpenTelemetry hooks module loading before anything else loads
import 'reflect-metadata';
import { loadConfigOrExit } from '@oms/config';
import { runMigratorCli } from './migrator.cli';

// migrate up | down | status, projections rebuild: see migrator.args.ts (USAGE).
const config = loadConfigOrExit('migrator');
runMigratorCli(process.argv.slice(2), config, {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
}).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`migrator: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  },
);
