/**
 * An event id that is already stored. Event ids are unique across all streams; a duplicate
 * is a bug in the caller (ids are generated per decision), never a concurrency conflict, so
 * it is not retried.
 */
export class DuplicateEventError extends Error {
  constructor(readonly eventId: string) {
    super(`event ${eventId} is already stored`);
    this.name = 'DuplicateEventError';
  }
}
