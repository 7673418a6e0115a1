import { redactDsn, type OmsConfig } from '@oms/config';
import { loadPostgresStorage } from '@oms/storage';
import { reprocessDlqTopic } from './dlq-topic-reprocess.command';
import { runSagasCommand, sagaOperationsOn } from './sagas.command';
import { replayEvents, type ReplayResult } from './events-replay.command';
import { USAGE, UsageError, parseMigratorArgs, type DlqTopicReprocess, type MigratorCommand, type ReplayRange } from './migrator.args';
import { checkTopics } from './topics-check.command';
import { createTopics, topicsDryRun } from './topics-create.command';

export interface MigratorIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

/** Runs one migrator command; returns the process exit status (never throws). */
export async function runMigratorCli(argv: readonly string[], config: OmsConfig, io: MigratorIo): Promise<number> {
  let command: MigratorCommand;
  try {
    command = parseMigratorArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.err(`migrator: ${error.message}`);
    io.err(USAGE);
    return EXIT_USAGE;
  }
  if (command.kind === 'help') {
    io.out(USAGE);
    return EXIT_OK;
  }
  if ('hint' in command && command.hint) io.err(command.hint);
  if (command.kind === 'reprocess-dlq-topic') return runDlqTopicCommand(command.options, config, io);
  if (command.kind === 'create-topics' || command.kind === 'check-topics') {
    const name = command.kind === 'create-topics' ? 'topics create' : 'topics check';
    const needsBroker = !(command.kind === 'create-topics' && command.dryRun); // a dry run prints settings only
    if (needsBroker && config.broker.kafka.brokers.length === 0) {
      io.err(`migrator: ${name} needs KAFKA_BROKERS (the Kafka bootstrap brokers)`);
      return EXIT_USAGE;
    }
    try {
      return await runTopicsCommand(command, config, io);
    } catch (error) {
      io.err(`migrator: ${name} failed on ${config.broker.kafka.brokers.join(',') || '(no KAFKA_BROKERS)'}: ${describe(error)}`);
      return EXIT_FAILED;
    }
  }
  const dsn = config.storage.postgres.dsn;
  if (!dsn) {
    io.err('migrator: OMS_POSTGRES_DSN (or OMS_POSTGRES_DSN_FILE) is required');
    return EXIT_USAGE;
  }
  const target = redactDsn(dsn);
  try {
    await execute(command, config, io);
    return EXIT_OK;
  } catch (error) {
    io.err(`migrator: ${command.kind} failed on ${target}: ${describe(error)}`);
    return EXIT_FAILED;
  }
}

async function runTopicsCommand(
  command: Extract<MigratorCommand, { kind: 'create-topics' | 'check-topics' }>,
  config: OmsConfig,
  io: MigratorIo,
): Promise<number> {
  if (command.kind === 'check-topics') {
    const result = await checkTopics(config, command.strict);
    for (const line of result.lines) io.out(line);
    return result.failed ? EXIT_FAILED : EXIT_OK;
  }
  if (command.dryRun) {
    for (const line of await topicsDryRun(config)) io.out(line);
    return EXIT_OK;
  }
  const created = await createTopics(config);
  for (const name of created) io.out(`created  ${name}`);
  io.out(created.length === 0 ? 'nothing to create: every OMS topic exists' : `${created.length} topic(s) created`);
  return EXIT_OK;
}

/** `dlq reprocess`: the dead-letter topic on Kafka; no database. */
async function runDlqTopicCommand(options: DlqTopicReprocess, config: OmsConfig, io: MigratorIo): Promise<number> {
  const brokers = config.broker.kafka.brokers;
  if (brokers.length === 0) {
    io.err('migrator: dlq reprocess reads the dead-letter topic on Kafka: KAFKA_BROKERS is required');
    return EXIT_USAGE;
  }
  try {
    const result = await reprocessDlqTopic(config, options);
    for (const line of result.lines) io.out(line);
    return EXIT_OK;
  } catch (error) {
    io.err(`migrator: dlq reprocess failed on ${brokers.join(',')}: ${describe(error)}`);
    return EXIT_FAILED;
  }
}

type DatabaseCommand = Exclude<MigratorCommand, { kind: 'help' | 'create-topics' | 'check-topics' | 'reprocess-dlq-topic' }>;
type PostgresStorage = Awaited<ReturnType<typeof loadPostgresStorage>>;

async function execute(command: DatabaseCommand, config: OmsConfig, io: MigratorIo): Promise<void> {
  const storage = await loadPostgresStorage();
  // Schema changes and rebuilds may legitimately run longer than a request's statement timeout.
  const settings = { ...storage.postgresSettingsOf(config), applicationName: 'oms-migrator', poolMax: 2, statementTimeoutMs: 0, queryTimeoutMs: 0 };
  if (command.kind === 'up' || command.kind === 'down' || command.kind === 'status') {
    // Schema changes go through TypeORM's migration runner (ADR 0013).
    const dataSource = storage.createPostgresDataSource(settings);
    await dataSource.initialize();
    try {
      await migrate(command, storage, dataSource, io);
    } finally {
      await dataSource.destroy();
    }
    return;
  }
  const db = await storage.PostgresDatabase.open(settings);
  try {
    await maintain(command, storage, db, config, io);
  } finally {
    await db.close();
  }
}

async function migrate(
  command: Extract<DatabaseCommand, { kind: 'up' | 'down' | 'status' }>,
  storage: PostgresStorage,
  dataSource: ReturnType<PostgresStorage['createPostgresDataSource']>,
  io: MigratorIo,
): Promise<void> {
  switch (command.kind) {
    case 'up': {
      const applied = await storage.migrateUp(dataSource, { steps: command.steps });
      for (const name of applied) io.out(`applied  ${name}`);
      io.out(applied.length === 0 ? 'nothing to apply: the schema is up to date' : `${applied.length} migration(s) applied`);
      return;
    }
    case 'down': {
      const reverted = await storage.migrateDown(dataSource, { steps: command.steps });
      for (const name of reverted) io.out(`reverted ${name}`);
      io.out(reverted.length === 0 ? 'nothing to revert: no migration is applied' : `${reverted.length} migration(s) reverted`);
      return;
    }
    case 'status': {
      const states = await storage.migrationStatus(dataSource);
      for (const state of states) {
        io.out(`${state.applied ? '[applied]' : '[pending]'} ${state.name}${state.unknown ? '  (not in this build)' : ''}`);
      }
      const pending = states.filter((state) => !state.applied).length;
      io.out(`${states.length - pending} applied, ${pending} pending`);
      return;
    }
  }
}

/** Data maintenance: hand-written SQL on the storage's own pool, like the drivers. */
async function maintain(
  command: Exclude<DatabaseCommand, { kind: 'up' | 'down' | 'status' }>,
  storage: PostgresStorage,
  db: InstanceType<PostgresStorage['PostgresDatabase']>,
  config: OmsConfig,
  io: MigratorIo,
): Promise<void> {
  switch (command.kind) {
    case 'rebuild-projections': {
      const result = await storage.rebuildOrdersView(db, {
        batchSize: command.batchSize,
        onBatch: ({ orders }) => io.out(`orders_view: ${orders} order(s) recomputed`),
      });
      io.out(`orders_view rebuilt: ${result.orders} order(s), ${result.removed} orphaned row(s) removed`);
      return;
    }
    case 'reprocess-outbox-dead-letters': {
      // The admin service's dead letters: the same code as order-api's /v1/admin/dead-letters.
      const drivers = storage.postgresDriversOn(db, { partitions: config.outbox.partitions, notify: true });
      const operations = sagaOperationsOn(drivers, config);
      const result = command.execute ? await operations.reprocessDeadLetters(command.limit) : await operations.deadLetters(command.limit);
      for (const row of result.rows) {
        io.out(
          `${command.execute ? 'requeued' : 'dead    '} #${row.id} message ${row.messageId} key ${row.key} topic ${row.topic} ` +
            `attempts ${row.attempts} at ${row.createdAt.toISOString()}: ${row.lastError ?? '(no error recorded)'}`,
        );
      }
      const more = result.remaining > 0 ? `; ${result.remaining} more dead-lettered row(s) left (raise --limit or run again)` : '';
      io.out(
        command.execute
          ? `${result.rows.length} dead-lettered row(s) set pending again: the relay republishes them${more}`
          : `${result.rows.length} dead-lettered row(s) listed (dry run: nothing changed, add --execute to republish)${more}`,
      );
      return;
    }
    case 'sagas': {
      const drivers = storage.postgresDriversOn(db, { partitions: config.outbox.partitions, notify: true });
      for (const line of await runSagasCommand(command.command, sagaOperationsOn(drivers, config))) io.out(line);
      await drivers.close(); // sends the relays' wake-up before the connections go
      return;
    }
    case 'replay-events': {
      // The drivers over the migrator's pool: readAll and a commit that NOTIFYs the relays.
      const drivers = storage.postgresDriversOn(db, { partitions: config.outbox.partitions, notify: true });
      const result = await replayEvents(command.range, command.execute, {
        db,
        eventStore: drivers.eventStore,
        unitOfWork: drivers.unitOfWork,
        topic: config.broker.kafka.ordersTopic,
        onBatch: command.execute ? (progress) => io.out(`replayed ${progress.events} event(s) so far`) : undefined,
      });
      await drivers.close(); // sends the relays' wake-up before the connections go
      io.out(replaySummary(command.range, command.execute, result));
      return;
    }
  }
}

function replaySummary(range: ReplayRange, execute: boolean, result: ReplayResult): string {
  const asked =
    range.by === 'position'
      ? `positions ${range.from}..${range.to ?? 'end'}`
      : `occurred ${range.since.toISOString()} .. ${range.until?.toISOString() ?? 'now'}`;
  if (result.events === 0) return `no order events in ${asked}: nothing to replay`;
  const what = `${result.events} event(s) of ${result.orders} order(s), positions ${result.firstPosition}..${result.lastPosition} (${asked})`;
  return execute
    ? `${what} written to the outbox with their original event ids: the relay publishes them`
    : `${what} would be replayed (dry run: nothing written, add --execute)`;
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && !error.message.includes(code) ? `${error.message} (${code})` : error.message;
}
