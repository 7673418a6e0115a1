import type { NewEvent, StoredEvent } from '../events/stored-event';

/** Appends are optimistic: `expectedVersion` is the stream version the caller decided on (0 = new stream). */
export interface AppendRequest {
  readonly streamId: string;
  readonly expectedVersion: number;
  readonly events: readonly NewEvent[];
}

export interface AppendResult {
  /** Stream version after the append. */
  readonly nextVersion: number;
  /** Global position of the last appended event. */
  readonly lastPosition: number;
}

export abstract class EventStore {
  /** Throws ConcurrencyError when the stream is not at `expectedVersion`. */
  abstract append(request: AppendRequest): Promise<AppendResult>;
  /** Events of one stream in version order; empty for an unknown stream. */
  abstract readStream(streamId: string): Promise<StoredEvent[]>;
  /** Events with position > `afterPosition` in position order, at most `limit`. */
  abstract readAll(afterPosition: number, limit: number): Promise<StoredEvent[]>;
}
