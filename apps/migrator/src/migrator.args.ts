import { ADMIN_LIMITS } from '@oms/contracts';
import type { SagasCommand } from './sagas.command';

/** What the migrator was asked to do, parsed from argv. */
export type MigratorCommand =
  | { readonly kind: 'up'; readonly steps?: number }
  | { readonly kind: 'down'; readonly steps: number }
  | { readonly kind: 'status' }
  | { readonly kind: 'rebuild-projections'; readonly batchSize?: number }
  | { readonly kind: 'reprocess-outbox-dead-letters'; readonly execute: boolean; readonly limit: number; readonly hint?: string }
  | { readonly kind: 'reprocess-dlq-topic'; readonly options: DlqTopicReprocess }
  | { readonly kind: 'replay-events'; readonly range: ReplayRange; readonly execute: boolean }
  | { readonly kind: 'create-topics'; readonly dryRun: boolean }
  | { readonly kind: 'check-topics'; readonly strict: boolean }
  | { readonly kind: 'sagas'; readonly command: SagasCommand }
  | { readonly kind: 'help' };

/** `dlq reprocess`: which letters of the dead-letter topic to replay, and whether to. */
export interface DlqTopicReprocess {
  readonly execute: boolean;
  readonly limit: number;
  /** Only letters of this event type (`OrderPaymentRequested`, or its ce_type). */
  readonly type?: string;
  /** Only letters dead-lettered at or after this time (x-failed-at). */
  readonly since?: Date;
  /** The consumer group whose committed offsets say which letters were dealt with. */
  readonly group: string;
  /** Read every retained letter, not only those after the group's committed offsets. */
  readonly fromBeginning: boolean;
}

/** Events to replay: by global position (inclusive) or by occurred-at time (since inclusive, until exclusive). */
export type ReplayRange =
  | { readonly by: 'position'; readonly from: number; readonly to?: number }
  | { readonly by: 'time'; readonly since: Date; readonly until?: Date };

/** Dead-lettered rows listed or reset by one `outbox dead-letters reprocess` run (and letters replayed by `dlq reprocess`) when --limit is not given. */
export const DEFAULT_DLQ_LIMIT = 1000;

/** The consumer group of `dlq reprocess`: its committed offsets mark the letters already dealt with. */
export const DEFAULT_DLQ_GROUP = 'oms-dlq-reprocess';

const DEPRECATED_OUTBOX_REPROCESS =
  'migrator: "outbox dlq-reprocess" is deprecated, use "outbox dead-letters reprocess" (dead-lettered outbox rows; ' +
  '"dlq reprocess" replays the dead-letter topic)';

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
  outbox dead-letters reprocess [--execute] [--limit N]
                              list outbox rows the broker kept refusing (status failed;
                              dry run, default); --execute sets them pending again, the
                              relay republishes them (at most N, default ${DEFAULT_DLQ_LIMIT}, oldest
                              first). "outbox dlq-reprocess" is its deprecated spelling
  dlq reprocess [--execute] [--limit N] [--type EVENT-TYPE] [--since ISO-TIME]
                [--group NAME] [--from-beginning]
                              list the letters consumers sent to the dead-letter topic
                              (OMS_KAFKA_DLQ_TOPIC) after the offsets committed by group
                              NAME (default ${DEFAULT_DLQ_GROUP}); --execute republishes each to its
                              x-original-topic with its key and original headers (at most
                              N, default ${DEFAULT_DLQ_LIMIT}) and commits the group past the letters
                              replayed or left out by --type / --since, so the next run
                              starts after them; --from-beginning reads all retained letters
  events replay --from-position N [--to-position M] [--execute]
  events replay --since ISO-TIME [--until ISO-TIME] [--execute]
                              re-publish a range of the event store through the outbox
                              with the original event ids (dry run: count only); positions
                              inclusive, times by occurred-at, --until exclusive
  sagas list [--status STATUS] [--older-than AGE] [--page-size N] [--page-token T] [--json]
                              sagas oldest update first (STATUS: RUNNING, COMPLETED,
                              COMPENSATED, COMPENSATION_FAILED, RESOLVED; AGE: 15m, 2h, 1d)
  sagas show SAGA-ID [--json] a saga's state and the order events it wrote
  sagas retry SAGA-ID         drive it now; a COMPENSATION_FAILED saga runs again and
                              retries its compensation (the saga orchestrator does the work)
  sagas resolve SAGA-ID --note TEXT [--operator NAME]
                              close a RUNNING or COMPENSATION_FAILED saga by hand; the
                              order's timeline records who (default: migrator) and why
  topics create [--dry-run]   create the missing Kafka topics (KAFKA_BROKERS) with the
                              partitions, replication and configs of OMS_KAFKA_<TOPIC>_*;
                              --dry-run prints them and changes nothing
  topics check [--strict]     compare the cluster's OMS topics with those settings: exit 1
                              on a missing topic or drift; settings the cluster does not
                              report are listed as unknown (--strict: they fail too)
  help                        show this text

"migrate" may be left out: "migrator up", "migrator status".
The database comes from OMS_POSTGRES_DSN or OMS_POSTGRES_DSN_FILE (not needed by the topics and dlq
commands, which need KAFKA_BROKERS and the OMS_KAFKA_* connection settings).
Exit status: 0 done, 1 failed (nothing half-applied), 2 bad usage or configuration.`;

export function parseMigratorArgs(argv: readonly string[]): MigratorCommand {
  const args = [...argv];
  if (args[0] === '--') args.shift();
  if (args.length === 0 || ['help', '--help', '-h'].includes(args[0])) return { kind: 'help' };
  const group = GROUPS.includes(args[0]) ? args.shift() : 'migrate';
  let action = args.shift();
  // A three-word command: `outbox dead-letters reprocess`.
  if (group === 'outbox' && action === 'dead-letters' && args[0] !== undefined && !args[0].startsWith('--')) action = `${action} ${args.shift()}`;
  // Saga commands take the saga id as a positional argument.
  if (group === 'sagas') return { kind: 'sagas', command: sagasCommand(action, args) };
  const options = parseOptions(args);

  if (group === 'outbox') {
    const deprecated = action === 'dlq-reprocess';
    if (!deprecated && action !== 'dead-letters reprocess') {
      throw new UsageError(`unknown outbox command "${action ?? ''}" (expected: dead-letters reprocess)`);
    }
    assertOnly(options, ['execute', 'limit']);
    const command = { kind: 'reprocess-outbox-dead-letters', execute: flag(options, 'execute'), limit: positive(options, 'limit') ?? DEFAULT_DLQ_LIMIT } as const;
    return deprecated ? { ...command, hint: DEPRECATED_OUTBOX_REPROCESS } : command;
  }
  if (group === 'dlq') {
    if (action !== 'reprocess') throw new UsageError(`unknown dlq command "${action ?? ''}" (expected: reprocess)`);
    assertOnly(options, ['execute', 'limit', 'type', 'since', 'group', 'from-beginning']);
    const type = text(options, 'type');
    const since = instant(options, 'since');
    return {
      kind: 'reprocess-dlq-topic',
      options: {
        execute: flag(options, 'execute'),
        limit: positive(options, 'limit') ?? DEFAULT_DLQ_LIMIT,
        ...(type === undefined ? {} : { type }),
        ...(since === undefined ? {} : { since }),
        group: text(options, 'group') ?? DEFAULT_DLQ_GROUP,
        fromBeginning: flag(options, 'from-beginning'),
      },
    };
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

const GROUPS = ['migrate', 'projections', 'outbox', 'events', 'topics', 'dlq', 'sagas'];
/** Options that take no value. */
const FLAGS = new Set(['execute', 'dry-run', 'strict', 'from-beginning', 'json']);

const SAGA_STATUSES = ['RUNNING', 'COMPLETED', 'COMPENSATED', 'COMPENSATION_FAILED', 'RESOLVED'] as const;
const AGE = /^(\d{1,9})(ms|s|m|h|d)$/;
const AGE_MS: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

function sagasCommand(action: string | undefined, args: string[]): SagasCommand {
  if (action === 'list') {
    const options = parseOptions(args);
    assertOnly(options, ['status', 'older-than', 'page-size', 'page-token', 'json']);
    const status = text(options, 'status');
    if (status !== undefined && !(SAGA_STATUSES as readonly string[]).includes(status)) {
      throw new UsageError(`--status must be one of ${SAGA_STATUSES.join(', ')}, got "${status}"`);
    }
    const age = text(options, 'older-than');
    const match = age === undefined ? null : AGE.exec(age);
    if (age !== undefined && !match) throw new UsageError(`--older-than must be an age such as 15m, 2h or 1d, got "${age}"`);
    const pageSize = positive(options, 'page-size') ?? ADMIN_LIMITS.defaultPageSize;
    if (pageSize > ADMIN_LIMITS.maxPageSize) throw new UsageError(`--page-size must be at most ${ADMIN_LIMITS.maxPageSize}`);
    const pageToken = text(options, 'page-token');
    return {
      action,
      pageSize,
      json: flag(options, 'json'),
      ...(status === undefined ? {} : { status: status as (typeof SAGA_STATUSES)[number] }),
      ...(match ? { olderThanMs: Number(match[1]) * AGE_MS[match[2]] } : {}),
      ...(pageToken === undefined ? {} : { pageToken }),
    };
  }
  if (action !== 'show' && action !== 'retry' && action !== 'resolve') {
    throw new UsageError(`unknown sagas command "${action ?? ''}" (expected: list, show, retry, resolve)`);
  }
  const sagaId = args[0] !== undefined && !args[0].startsWith('--') ? (args.shift() as string) : undefined;
  if (sagaId === undefined) throw new UsageError(`sagas ${action} needs the saga id`);
  const options = parseOptions(args);
  if (action === 'show') {
    assertOnly(options, ['json']);
    return { action, sagaId, json: flag(options, 'json') };
  }
  if (action === 'retry') {
    assertOnly(options, []);
    return { action, sagaId };
  }
  assertOnly(options, ['note', 'operator']);
  const note = text(options, 'note');
  if (note === undefined) throw new UsageError('sagas resolve needs --note TEXT: why the saga is closed by hand');
  if (note.length > ADMIN_LIMITS.noteMaxLength) throw new UsageError(`--note must be at most ${ADMIN_LIMITS.noteMaxLength} characters`);
  const operator = text(options, 'operator') ?? 'migrator';
  if (operator.length > ADMIN_LIMITS.operatorMaxLength) throw new UsageError(`--operator must be at most ${ADMIN_LIMITS.operatorMaxLength} characters`);
  return { action, sagaId, note, operator };
}

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

/** A non-empty option value. */
function text(options: Map<string, string>, name: string): string | undefined {
  const raw = options.get(name);
  if (raw !== undefined && raw.trim().length === 0) throw new UsageError(`--${name} must not be empty`);
  return raw?.trim();
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
