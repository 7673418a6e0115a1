// A private PostgreSQL 15 cluster for one run (never the machine's shared server, which other
// runs use and which may be configured unlike production): initdb into a temporary folder,
// start on a free port, stop and delete at the end. Runs the server binaries as the postgres
// OS user (initdb refuses root).
import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './processes.mjs';

const run = promisify(execFile);
const PG_BIN = '/usr/lib/postgresql/15/bin';

const asPostgres = (command, commandArgs) =>
  run('runuser', ['-u', 'postgres', '--', `${PG_BIN}/${command}`, ...commandArgs], { maxBuffer: 16 * 1024 * 1024 });

/**
 * Starts a cluster under `baseDir/pg`. `settings` are extra server settings (`-c name=value`),
 * e.g. { shared_preload_libraries: 'pg_stat_statements' }; autovacuum and every other setting
 * keep PostgreSQL's defaults, as on a production server.
 */
export async function startPrivatePostgres(baseDir, settings = {}) {
  const dir = join(baseDir, 'pg');
  mkdirSync(dir);
  chmodSync(baseDir, 0o755);
  const id = (flag) => Number(execFileSync('id', [flag, 'postgres']).toString().trim());
  chownSync(dir, id('-u'), id('-g'));
  const data = join(dir, 'data');
  const port = await freePort();
  await asPostgres('initdb', ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-sync']);
  const all = { max_connections: 200, listen_addresses: '127.0.0.1', ...settings };
  const options = [`-p ${port}`, '-k /tmp', ...Object.entries(all).map(([name, value]) => `-c ${name}=${value}`)].join(' ');
  const log = join(dir, 'postgres.log');
  const cluster = {
    dir,
    data,
    port,
    log,
    server: { host: '127.0.0.1', port, user: 'postgres' },
    /** PID of the postmaster (its children are the backends and the background workers). */
    postmasterPid: () => Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]),
    restart: () => asPostgres('pg_ctl', ['-D', data, '-o', options, '-l', log, '-m', 'fast', '-w', 'restart']),
    /** Fast shutdown, then the folder is deleted. */
    async stop() {
      await asPostgres('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']).catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
    /** For a process 'exit' handler: synchronous, immediate. */
    killNow() {
      try {
        execFileSync('runuser', ['-u', 'postgres', '--', `${PG_BIN}/pg_ctl`, '-D', data, '-m', 'immediate', 'stop'], { stdio: 'ignore' });
      } catch {
        // already stopped
      }
    },
  };
  await asPostgres('pg_ctl', ['-D', data, '-o', options, '-l', log, '-w', 'start']);
  return cluster;
}
