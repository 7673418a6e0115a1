import { toOutboxMessage } from '@oms/contracts';
import type { EventStore, StoredEvent, UnitOfWork } from '@oms/domain';
import type { Sql } from './sql-executor';
import type { ReplayRange } from './migrator.args';

const ORDER_STREAM_PREFIX = 'order-';

export interface ReplayResult {
  readonly events: number;
  readonly orders: number;
  /** Global positions of the first and last event replayed (null when none). */
  readonly firstPosition: number | null;
  readonly lastPosition: number | null;
}

export interface ReplayDeps {
  readonly db: Sql;
  readonly eventStore: EventStore;
  readonly unitOfWork: UnitOfWork;
  readonly topic: string;
  readonly batchSize?: number;
  readonly onBatch?: (progress: ReplayResult) => void;
}

/**
 * Disaster recovery: re-publishes a range of the event store through the outbox. Each event
 * becomes the outbox row the original commit wrote (toOutboxMessage: message id = event id,
 * key = order id), so idempotent consumers drop what they already processed and rebuild the
 * rest. Events are read in global position order, which keeps every order's stream order;
 * each batch is one commit (and one NOTIFY to the relays). Without `execute` only counts.
 */
export async function replayEvents(range: ReplayRange, execute: boolean, deps: ReplayDeps): Promise<ReplayResult> {
  const bounds = await positionBounds(deps.db, range);
  const orders = new Set<string>();
  let events = 0;
  let firstPosition: number | null = null;
  let lastPosition: number | null = null;
  if (!bounds) return { events, orders: 0, firstPosition, lastPosition };

  const batchSize = deps.batchSize ?? 500;
  let after = bounds.from - 1;
  while (after < bounds.to) {
    const read = await deps.eventStore.readAll(after, batchSize);
    if (read.length === 0) break;
    after = read[read.length - 1].position;
    const wanted = read.filter((event) => event.position <= bounds.to && inRange(event, range) && event.streamId.startsWith(ORDER_STREAM_PREFIX));
    if (wanted.length === 0) continue;
    if (execute) {
      const outbox = wanted.map((event) => toOutboxMessage(event, event.streamId.slice(ORDER_STREAM_PREFIX.length), deps.topic));
      await deps.unitOfWork.commit({ outbox }, new Date());
    }
    for (const event of wanted) orders.add(event.streamId);
    events += wanted.length;
    firstPosition ??= wanted[0].position;
    lastPosition = wanted[wanted.length - 1].position;
    deps.onBatch?.({ events, orders: orders.size, firstPosition, lastPosition });
  }
  return { events, orders: orders.size, firstPosition, lastPosition };
}

/** The positions to scan: the range itself, or the positions of the events in the time window. */
async function positionBounds(db: Sql, range: ReplayRange): Promise<{ from: number; to: number } | null> {
  if (range.by === 'position') {
    return { from: range.from, to: range.to ?? Number.MAX_SAFE_INTEGER };
  }
  const { rows } = await db.query<{ first: string | number | null; last: string | number | null }>(
    `SELECT min(position) AS first, max(position) AS last FROM events
     WHERE occurred_at >= $1 AND ($2::timestamptz IS NULL OR occurred_at < $2)`,
    [range.since, range.until ?? null],
  );
  const first = rows[0]?.first;
  const last = rows[0]?.last;
  return first === null || first === undefined || last === null || last === undefined ? null : { from: Number(first), to: Number(last) };
}

function inRange(event: StoredEvent, range: ReplayRange): boolean {
  if (range.by === 'position') return true;
  const at = Date.parse(event.metadata.occurredAt);
  return at >= range.since.getTime() && (range.until === undefined || at < range.until.getTime());
}
