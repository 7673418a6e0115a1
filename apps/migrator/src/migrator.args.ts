/** What the migrator was asked to do, parsed from argv. */
export type MigratorCommand =
  | { readonly kind: 'up'; readonly steps?: number }
  | { readonly kind: 'down'; readonly steps: number }
  | { readonly kind: 'status' }
  | { readonly kind: 'rebuild-projections'; readonly batchSize?: number }
  | { readonly kind: 'dlq-reprocess'; readonly execute: boolean; readonly limit: number }
  | { readonly kind: 'replay-events'; readonly range: ReplayRange; readonly execute: boolean }
  | { readonly kind: 'create-topics'; readonly dryRun: boolean }
  | { readonly kind: 'check-topics'; readonly strict: boolean }
  | { readonly kind: 'help' };

/** Events to replay: by global position (inclusive) or by occurred-at time (since inclusive, until exclusive). */
export type ReplayRange =
  | { readonly by: 'position'; readonly from: number; readonly to?: number }
  | { readonly by: 'time'; readonly since: Date; readonly until?: Date };

/** Dead-lettered rows listed or reset by one `outbox dlq-reprocess` run when --limit is not given. */
export const DEFAULT_DLQ_LIMIT = 1000;

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export const USAGE = `Usage: migrator <command>

  migrate up [--steps N]      apply pending migrations (all, or the next N)
  migrate down [--steps N]    revert the last N applied migrations (default 1)
  migrate status              list applied and pending migrations
  projections rebuild [--batch-size N]
                              recompute orders_view from the event store
  outbox dlq-reprocess [--execute] [--limit N]
                              list dead-lettered outbox rows (dry run, default);
                              --execute sets them pending again, the relay republishes
                              them (at most N, default ${DEFAULT_DLQ_LIMIT}, oldest first)
  events replay --from-position N [--to-position M] [--execute]
  events replay --since ISO-TIME [--until ISO-TIME] [--execute]
                              re-publish a range of the event store through the outbox
                              with the original event ids (dry run: count only); positions
                              inclusive, times by occurred-at, --until exclusive
  topics create [--dry-run]   create the missing Kafka topics (KAFKA_BROKERS) with the
                              partitions, replication and configs of OMS_KAFKA_<TOPIC>_*;
                              --dry-run prints them and changes nothing
  topics check [--strict]     compare the cluster's OMS topics with those settings: exit 1
                              on a missing topic or drift; settings the cluster does not
                              report are listed as unknown (--strict: they fail too)
  help                        show this text

"migrate" may be left out: "migrator up", "migrator status".
The database comes from OMS_POSTGRES_DSN or OMS_POSTGRES_DSN_FILE (not needed by the topics commands).
Exit status: 0 done, 1 failed (nothing half-applied), 2 bad usage or configuration.`;

export function parseMigratorArgs(argv: readonly string[]): MigratorCommand {
  const args = [...argv];
  if (args[0] === '--') args.shift();
  if (args.length === 0 || ['help', '--help', '-h'].includes(args[0])) return { kind: 'help' };
  const group = GROUPS.includes(args[0]) ? args.shift() : 'migrate';
  const action = args.shift();
  const options = parseOptions(args);

  if (group === 'outbox') {
    if (action !== 'dlq-reprocess') throw new UsageError(`unknown outbox command "${action ?? ''}" (expected: dlq-reprocess)`);
    assertOnly(options, ['execute', 'limit']);
    return { kind: 'dlq-reprocess', execute: flag(options, 'execute'), limit: positive(options, 'limit') ?? DEFAULT_DLQ_LIMIT };
  }
  if (group === 'events') {
    if (action !== 'replay') throw new UsageError(`unknown events command "${action ?? ''}" (expected: replay)`);
    assertOnly(options, ['from-position', 'to-position', 'since', 'until', 'execute']);
    return { kind: 'replay-events', range: replayRange(options), execute: flag(options, 'execute') };
  }
  if (group === 'topics') {
    if (action === 'create') {
      assertOnly(options, ['dry-run']);
      return { kind: 'create-topics', dryRun: flag(options, 'dry-run') };
    }
    if (action === 'check') {
      assertOnly(options, ['strict']);
      return { kind: 'check-topics', strict: flag(options, 'strict') };
    }
    throw new UsageError(`unknown topics command "${action ?? ''}" (expected: create, check)`);
  }

  if (group === 'projections') {
    if (action !== 'rebuild') throw new UsageError(`unknown projections command "${action ?? ''}" (expected: rebuild)`);
    const batchSize = positive(options, 'batch-size');
    assertOnly(options, ['batch-size']);
    return batchSize === undefined ? { kind: 'rebuild-projections' } : { kind: 'rebuild-projections', batchSize };
  }
  switch (action) {
    case 'up': {
      const steps = positive(options, 'steps');
      assertOnly(options, ['steps']);
      return steps === undefined ? { kind: 'up' } : { kind: 'up', steps };
    }
    case 'down': {
      const steps = positive(options, 'steps') ?? 1;
      assertOnly(options, ['steps']);
      return { kind: 'down', steps };
    }
    case 'status':
      assertOnly(options, []);
      return { kind: 'status' };
    default:
      throw new UsageError(`unknown command "${action ?? ''}" (expected: up, down, status)`);
  }
}

const GROUPS = ['migrate', 'projections', 'outbox', 'events', 'topics'];
/** Options that take no value. */
const FLAGS = new Set(['execute', 'dry-run', 'strict']);

function parseOptions(args: string[]): Map<string, string> {
  const options = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const match = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (!match) throw new UsageError(`unexpected argument "${arg}"`);
    if (FLAGS.has(match[1])) {
      if (match[2] !== undefined) throw new UsageError(`--${match[1]} takes no value`);
      options.set(match[1], 'true');
      continue;
    }
    const value = match[2] ?? args[++i];
    if (value === undefined) throw new UsageError(`--${match[1]} needs a value`);
    options.set(match[1], value);
  }
  return options;
}

function positive(options: Map<string, string>, name: string): number | undefined {
  const raw = options.get(name);
  if (raw === undefined) return undefined;
  if (!/^\d+$/.test(raw) || Number(raw) < 1 || !Number.isSafeInteger(Number(raw))) {
    throw new UsageError(`--${name} must be a positive integer, got "${raw}"`);
  }
  return Number(raw);
}

function flag(options: Map<string, string>, name: string): boolean {
  return options.get(name) === 'true';
}

function replayRange(options: Map<string, string>): ReplayRange {
  const byPosition = options.has('from-position') || options.has('to-position');
  const byTime = options.has('since') || options.has('until');
  if (byPosition && byTime) throw new UsageError('give either --from-position/--to-position or --since/--until, not both');
  if (byTime) {
    const since = instant(options, 'since');
    if (!since) throw new UsageError('--since is required with --until');
    const until = instant(options, 'until');
    if (until && until.getTime() <= since.getTime()) throw new UsageError('--until must be later than --since');
    return until ? { by: 'time', since, until } : { by: 'time', since };
  }
  const from = positive(options, 'from-position');
  if (from === undefined) throw new UsageError('events replay needs --from-position N or --since ISO-TIME');
  const to = positive(options, 'to-position');
  if (to !== undefined && to < from) throw new UsageError(`--to-position (${to}) is before --from-position (${from})`);
  return to === undefined ? { by: 'position', from } : { by: 'position', from, to };
}

function instant(options: Map<string, string>, name: string): Date | undefined {
  const raw = options.get(name);
  if (raw === undefined) return undefined;
  // A full ISO-8601 date (time optional); Date.parse alone accepts too much ("1", "March 7").
  const time = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(raw) ? Date.parse(raw) : NaN;
  if (Number.isNaN(time)) throw new UsageError(`--${name} must be an ISO-8601 time such as 2026-01-31T12:00:00Z, got "${raw}"`);
  return new Date(time);
}

function assertOnly(options: Map<string, string>, allowed: readonly string[]): void {
  for (const name of options.keys()) {
    if (!allowed.includes(name)) throw new UsageError(`unknown option --${name}`);
  }
}
