import { EventStore, type AppendRequest, type AppendResult, type EventMetadata, type StoredEvent } from '@oms/domain';
import { toNumber, type PostgresDatabase } from './postgres-database';
import type { PostgresUnitOfWork } from './unit-of-work.postgres';

export interface EventRow {
  position: string | number;
  event_id: string;
  stream_id: string;
  version: number;
  type: string;
  schema_version: number;
  data: unknown;
  metadata: EventMetadata;
}

/** An event's columns beside another table's in an outer join: all null where no event matched. */
export type JoinedEventRow = { [column in keyof EventRow]: EventRow[column] | null };

/** The columns of an event, as toStoredEvent reads them. */
export const EVENT_COLUMNS = 'position, event_id, stream_id, version, type, schema_version, data, metadata';

export class PostgresEventStore extends EventStore {
  constructor(
    private readonly db: PostgresDatabase,
    private readonly unitOfWork: PostgresUnitOfWork,
  ) {
    super();
  }

  /** An append alone is a change set with only events: same statement, same conflict handling. */
  async append(request: AppendRequest): Promise<AppendResult> {
    const result = await this.unitOfWork.commit({ append: request }, new Date());
    return { nextVersion: result.nextVersion ?? request.expectedVersion, lastPosition: result.lastPosition ?? 0 };
  }

  async readStream(streamId: string): Promise<StoredEvent[]> {
    const { rows } = await this.db.query<EventRow>(`SELECT ${EVENT_COLUMNS} FROM events WHERE stream_id = $1 ORDER BY version`, [streamId]);
    return rows.map(toStoredEvent);
  }

  /**
   * Positions come from a sequence at insert time, so a transaction that commits late can
   * leave a position behind the last one a reader saw: fine for rebuilds and audits; a live
   * feed of new events is the outbox, which the relay reads by status, not by position.
   */
  async readAll(afterPosition: number, limit: number): Promise<StoredEvent[]> {
    if (limit <= 0) return [];
    const { rows } = await this.db.query<EventRow>(`SELECT ${EVENT_COLUMNS} FROM events WHERE position > $1 ORDER BY position LIMIT $2`, [
      afterPosition,
      limit,
    ]);
    return rows.map(toStoredEvent);
  }
}

export function toStoredEvent(row: EventRow): StoredEvent {
  return {
    eventId: row.event_id,
    type: row.type,
    schemaVersion: row.schema_version,
    data: row.data,
    metadata: row.metadata,
    streamId: row.stream_id,
    version: row.version,
    position: toNumber(row.position),
  };
}

/** The events of an outer join's rows, leaving out the rows where no event matched. */
export function joinedEvents(rows: readonly JoinedEventRow[]): StoredEvent[] {
  return rows.filter((row): row is EventRow => row.event_id !== null).map(toStoredEvent);
}
