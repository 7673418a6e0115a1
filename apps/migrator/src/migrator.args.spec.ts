import { UsageError, parseMigratorArgs } from './migrator.args';

const OUTBOX = 'reprocess-outbox-dead-letters';
const DEPRECATED = expect.stringContaining('"outbox dlq-reprocess" is deprecated, use "outbox dead-letters reprocess"');
const DLQ = 'reprocess-dlq-topic';

describe('migrator arguments', () => {
  it.each([
    [['migrate', 'up'], { kind: 'up' }],
    [['up'], { kind: 'up' }],
    [['--', 'up'], { kind: 'up' }],
    [['migrate', 'up', '--steps', '2'], { kind: 'up', steps: 2 }],
    [['up', '--steps=3'], { kind: 'up', steps: 3 }],
    [['migrate', 'down'], { kind: 'down', steps: 1 }],
    [['down', '--steps', '4'], { kind: 'down', steps: 4 }],
    [['migrate', 'status'], { kind: 'status' }],
    [['status'], { kind: 'status' }],
    [['projections', 'rebuild'], { kind: 'rebuild-projections' }],
    [['projections', 'rebuild', '--batch-size', '100'], { kind: 'rebuild-projections', batchSize: 100 }],
    [['outbox', 'dead-letters', 'reprocess'], { kind: OUTBOX, execute: false, limit: 1000 }],
    [['outbox', 'dead-letters', 'reprocess', '--execute', '--limit', '5'], { kind: OUTBOX, execute: true, limit: 5 }],
    // The previous spelling still works, with a hint to move on.
    [['outbox', 'dlq-reprocess'], { kind: OUTBOX, execute: false, limit: 1000, hint: DEPRECATED }],
    [['outbox', 'dlq-reprocess', '--execute', '--limit', '5'], { kind: OUTBOX, execute: true, limit: 5, hint: DEPRECATED }],
    [['outbox', 'dlq-reprocess', '--limit=7'], { kind: OUTBOX, execute: false, limit: 7, hint: DEPRECATED }],
    [['dlq', 'reprocess'], { kind: DLQ, options: { execute: false, limit: 1000, group: 'oms-dlq-reprocess', fromBeginning: false } }],
    [
      ['dlq', 'reprocess', '--execute', '--limit', '10', '--type', 'OrderPaymentRequested', '--since=2026-03-01T10:00:00Z', '--group', 'ops-1', '--from-beginning'],
      {
        kind: DLQ,
        options: {
          execute: true,
          limit: 10,
          type: 'OrderPaymentRequested',
          since: new Date('2026-03-01T10:00:00Z'),
          group: 'ops-1',
          fromBeginning: true,
        },
      },
    ],
    [['events', 'replay', '--from-position', '10'], { kind: 'replay-events', range: { by: 'position', from: 10 }, execute: false }],
    [
      ['events', 'replay', '--from-position', '10', '--to-position', '20', '--execute'],
      { kind: 'replay-events', range: { by: 'position', from: 10, to: 20 }, execute: true },
    ],
    [
      ['events', 'replay', '--since', '2026-01-31T12:00:00Z'],
      { kind: 'replay-events', range: { by: 'time', since: new Date('2026-01-31T12:00:00Z') }, execute: false },
    ],
    [
      ['events', 'replay', '--since', '2026-01-31', '--until=2026-02-01T00:00:00.000+01:00', '--execute'],
      {
        kind: 'replay-events',
        range: { by: 'time', since: new Date('2026-01-31T00:00:00Z'), until: new Date('2026-01-31T23:00:00Z') },
        execute: true,
      },
    ],
    [['topics', 'create'], { kind: 'create-topics', dryRun: false }],
    [['topics', 'create', '--dry-run'], { kind: 'create-topics', dryRun: true }],
    [['topics', 'check'], { kind: 'check-topics', strict: false }],
    [['topics', 'check', '--strict'], { kind: 'check-topics', strict: true }],
    [[], { kind: 'help' }],
    [['--help'], { kind: 'help' }],
  ])('%j -> %j', (argv, expected) => {
    expect(parseMigratorArgs(argv)).toEqual(expected);
  });

  it.each([
    [['sideways'], /unknown command "sideways"/],
    [['migrate'], /unknown command ""/],
    [['up', '--steps'], /--steps needs a value/],
    [['up', '--steps', '0'], /--steps must be a positive integer, got "0"/],
    [['down', '--steps', 'two'], /--steps must be a positive integer, got "two"/],
    [['up', '--steps', '1.5'], /positive integer/],
    [['status', '--steps', '1'], /unknown option --steps/],
    [['up', 'extra'], /unexpected argument "extra"/],
    [['projections', 'drop'], /unknown projections command "drop"/],
    [['projections', 'rebuild', '--steps', '1'], /unknown option --steps/],
    [['outbox', 'purge'], /unknown outbox command "purge" \(expected: dead-letters reprocess\)/],
    [['outbox', 'dead-letters'], /unknown outbox command "dead-letters"/],
    [['outbox', 'dead-letters', 'purge'], /unknown outbox command "dead-letters purge"/],
    [['outbox', 'dead-letters', 'reprocess', '--type', 'X'], /unknown option --type/],
    [['dlq', 'replay'], /unknown dlq command "replay" \(expected: reprocess\)/],
    [['dlq', 'reprocess', '--limit', '0'], /--limit must be a positive integer/],
    [['dlq', 'reprocess', '--since', 'last week'], /--since must be an ISO-8601 time/],
    [['dlq', 'reprocess', '--type', ' '], /--type must not be empty/],
    [['dlq', 'reprocess', '--group'], /--group needs a value/],
    [['dlq', 'reprocess', '--from-beginning=yes'], /--from-beginning takes no value/],
    [['dlq', 'reprocess', '--strict'], /unknown option --strict/],
    [['outbox', 'dlq-reprocess', '--limit', '0'], /--limit must be a positive integer/],
    [['outbox', 'dlq-reprocess', '--execute=yes'], /--execute takes no value/],
    [['outbox', 'dlq-reprocess', '--since', '2026-01-01'], /unknown option --since/],
    [['events', 'replay'], /needs --from-position N or --since ISO-TIME/],
    [['events', 'replay', '--to-position', '5'], /needs --from-position/],
    [['events', 'replay', '--from-position', '9', '--to-position', '5'], /--to-position \(5\) is before --from-position \(9\)/],
    [['events', 'replay', '--from-position', '1', '--since', '2026-01-01'], /either --from-position\/--to-position or --since\/--until/],
    [['events', 'replay', '--since', 'yesterday'], /--since must be an ISO-8601 time/],
    [['events', 'replay', '--since', '2026-02-01', '--until', '2026-01-01'], /--until must be later than --since/],
    [['events', 'replay', '--until', '2026-01-01'], /--since is required with --until/],
    [['events', 'rewind'], /unknown events command "rewind"/],
    [['topics', 'create', '--execute'], /unknown option --execute/],
    [['topics', 'delete'], /unknown topics command "delete" \(expected: create, check\)/],
    [['topics', 'check', '--dry-run'], /unknown option --dry-run/],
    [['topics', 'create', '--dry-run=yes'], /--dry-run takes no value/],
  ])('%j is a usage error', (argv, message) => {
    expect(() => parseMigratorArgs(argv)).toThrow(UsageError);
    expect(() => parseMigratorArgs(argv)).toThrow(message);
  });
});
