import type { OmsConfig } from '@oms/config';
import { deadLetterOrigin, eventTypeOfCeType, withoutDeadLetterHeaders } from '@oms/contracts';
import { KafkaGroupReader, type GroupReadOptions, type RawMessage, type RawRecord } from '@oms/messaging';
import type { DlqTopicReprocess } from './migrator.args';

/** What happens to one letter. */
type Verdict =
  | { readonly action: 'replay'; readonly message: RawMessage; readonly what: string }
  /** Left out (a filter, or not a consumer's letter): with --execute the group moves past it. */
  | { readonly action: 'skip'; readonly why: string }
  /** Beyond --limit: stays for the next run (the group's commit point stops before it). */
  | { readonly action: 'hold' };

export interface DlqTopicReprocessResult {
  readonly lines: string[];
  readonly replayed: number;
  readonly skipped: number;
  readonly held: number;
}

/** The operations the command needs of Kafka (KafkaGroupReader; tests may pass their own). */
export type OpenGroupReader = (config: Pick<OmsConfig, 'broker'>, options: GroupReadOptions) => Promise<KafkaGroupReader>;

/**
 * `migrator dlq reprocess`: the letters consumers sent to the dead-letter topic, read in a
 * consumer group of its own (default oms-dlq-reprocess) from its committed offsets (or, with
 * --from-beginning, every retained letter) up to the topic's end when the run began. A dry run
 * lists what it would replay and commits nothing. --execute republishes each selected letter to
 * its x-original-topic with its key, value and original headers (the dead-letter ones dropped),
 * then commits the group past every letter it replayed or left out (a filter, an outbox row's
 * letter), so the next run starts after them; letters beyond --limit stay for the next run.
 * Consumers deduplicate by event id (the saga inbox), so a letter replayed twice is harmless.
 */
export async function reprocessDlqTopic(
  config: Pick<OmsConfig, 'broker'>,
  options: DlqTopicReprocess,
  open: OpenGroupReader = (brokerConfig, readOptions) => KafkaGroupReader.open(brokerConfig, readOptions),
): Promise<DlqTopicReprocessResult> {
  const topic = config.broker.kafka.dlqTopic;
  const reader = await open(config, { topic, groupId: options.group, fromBeginning: options.fromBeginning });
  try {
    const lines: string[] = [];
    const pending = reader.ranges.filter((range) => BigInt(range.from) < BigInt(range.end));
    const start = options.fromBeginning ? 'from the beginning' : `after the offsets committed by group ${options.group}`;
    if (pending.length === 0) {
      lines.push(`nothing to read on ${topic} ${start}${options.fromBeginning ? '' : ' (--from-beginning reads every retained letter again)'}`);
      return { lines, replayed: 0, skipped: 0, held: 0 };
    }
    lines.push(`reading ${topic} ${start}: ${pending.map((range) => `partition ${range.partition} offsets ${range.from}..${BigInt(range.end) - 1n}`).join(', ')}`);

    const records = await reader.read();
    let replays = 0;
    const verdicts = records.map((record) => {
      const verdict = judge(record, options, replays);
      if (verdict.action === 'replay') replays++;
      return { record, verdict };
    });
    for (const { record, verdict } of verdicts) {
      const where = `${topic}[${record.partition}]@${record.offset} key ${record.key?.toString('utf8') ?? '(none)'}`;
      if (verdict.action === 'replay') lines.push(`${options.execute ? 'replayed' : 'replay  '} ${where} -> ${verdict.what}`);
      if (verdict.action === 'skip') lines.push(`skip     ${where}: ${verdict.why}`);
    }
    const replayed = verdicts.filter(({ verdict }) => verdict.action === 'replay').length;
    const skipped = verdicts.filter(({ verdict }) => verdict.action === 'skip').length;
    const held = verdicts.length - replayed - skipped;
    const beyond = held > 0 ? `; ${held} more letter(s) beyond --limit ${options.limit} stay for the next run` : '';

    if (!options.execute) {
      lines.push(
        `dry run: ${replayed} letter(s) would be replayed, ${skipped} left out${beyond}; nothing published, ` +
          `group ${options.group} not moved (add --execute)`,
      );
      return { lines, replayed, skipped, held };
    }
    await reader.publish(verdicts.flatMap(({ verdict }) => (verdict.action === 'replay' ? [verdict.message] : [])));
    // Per partition: past every letter up to the first one held back (none held: the end of the read).
    const points = pending.map((range) => {
      const firstHeld = verdicts.find(({ record, verdict }) => record.partition === range.partition && verdict.action === 'hold');
      return { partition: range.partition, offset: firstHeld ? firstHeld.record.offset : range.end };
    });
    await reader.commit(points);
    lines.push(
      `${replayed} letter(s) replayed to their original topics, ${skipped} left out${beyond}; group ${options.group} committed at ` +
        points.map((point) => `${point.partition}:${point.offset}`).join(', '),
    );
    return { lines, replayed, skipped, held };
  } finally {
    await reader.close();
  }
}

function judge(record: RawRecord, options: DlqTopicReprocess, replaysSoFar: number): Verdict {
  const headers = Object.fromEntries(Object.entries(record.headers).map(([name, value]) => [name, value.toString('utf8')]));
  const origin = deadLetterOrigin(headers);
  if (!origin) return { action: 'skip', why: 'names no x-original-topic (an outbox row: migrator outbox dead-letters reprocess)' };
  if (!record.value || record.value.length === 0) return { action: 'skip', why: 'has no payload' };
  const type = eventTypeOf(record.value, headers['ce_type']);
  if (options.type !== undefined && options.type !== type && options.type !== headers['ce_type']) {
    return { action: 'skip', why: `event type ${type ?? 'unknown'}, not ${options.type}` };
  }
  if (options.since && (!origin.failedAt || origin.failedAt < options.since)) {
    return { action: 'skip', why: `failed ${origin.failedAt?.toISOString() ?? 'at an unknown time'}, before --since ${options.since.toISOString()}` };
  }
  if (replaysSoFar >= options.limit) return { action: 'hold' };
  const retries = origin.retries === undefined ? '' : `, ${origin.retries} retries`;
  return {
    action: 'replay',
    message: { topic: origin.originalTopic, key: record.key, value: record.value, headers: withoutDeadLetterHeaders(record.headers) },
    what: `${origin.originalTopic} ${type ?? '(unknown type)'} (failed ${origin.failedAt?.toISOString() ?? 'at an unknown time'}${retries}): ${origin.error}`,
  };
}

/** The event type of a letter: the body's `event_type` (or the previous body's `type`), else its CloudEvents type. */
function eventTypeOf(value: Buffer, ceType: string | undefined): string | undefined {
  try {
    const body = JSON.parse(value.toString('utf8')) as Record<string, unknown>;
    const type = body['event_type'] ?? body['type'];
    if (typeof type === 'string' && type.length > 0) return type;
  } catch {
    // not JSON: fall back to the header
  }
  return eventTypeOfCeType(ceType) ?? ceType;
}
