// A private PostgreSQL 15 cluster under a run's temp folder, on its own port: never the
// machine's shared server, which other runs use. Stop, start and restart are faults too.
import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../../e2e/lib/processes.mjs';

const run_ = promisify(execFile);
export const PG_BIN = '/usr/lib/postgresql/15/bin';

const asPostgres = (command, commandArgs) => run_('runuser', ['-u', 'postgres', '--', `${PG_BIN}/${command}`, ...commandArgs], { maxBuffer: 16 * 1024 * 1024 });
const idOf = (flag) => Number(execFileSync('id', [flag, 'postgres']).toString().trim());

export class PrivatePostgres {
  /** initdb and start under `baseDir/pg` on a free port. */
  static async create(baseDir) {
    const dir = join(baseDir, 'pg');
    mkdirSync(dir);
    chmodSync(baseDir, 0o755);
    chownSync(dir, idOf('-u'), idOf('-g'));
    const cluster = new PrivatePostgres(dir, await freePort());
    await asPostgres('initdb', ['-D', cluster.data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-sync']);
    await cluster.start();
    return cluster;
  }

  constructor(dir, port) {
    this.dir = dir;
    this.data = join(dir, 'data');
    this.port = port;
    this.log = join(dir, 'postgres.log');
    this.server = { host: '127.0.0.1', port, user: 'postgres' };
  }

  get options() {
    return `-p ${this.port} -k /tmp -c max_connections=200 -c listen_addresses=127.0.0.1`;
  }

  start() {
    return asPostgres('pg_ctl', ['-D', this.data, '-o', this.options, '-l', this.log, '-w', 'start']);
  }

  stop(mode = 'fast') {
    return asPostgres('pg_ctl', ['-D', this.data, '-m', mode, '-w', 'stop']);
  }

  restart() {
    return asPostgres('pg_ctl', ['-D', this.data, '-o', this.options, '-l', this.log, '-m', 'fast', '-w', 'restart']);
  }

  /** For the process exit handler: synchronous, immediate. */
  stopNow() {
    try {
      execFileSync('runuser', ['-u', 'postgres', '--', `${PG_BIN}/pg_ctl`, '-D', this.data, '-m', 'immediate', 'stop'], { stdio: 'ignore' });
    } catch {
      // already stopped
    }
  }

  async destroy() {
    await this.stop().catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
