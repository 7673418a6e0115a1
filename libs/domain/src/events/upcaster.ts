import type { StoredEvent } from './stored-event';

/**
 * Schema evolution on read: a stored event is lifted one version at a time by the
 * upcaster registered for (type, fromVersion) until it reaches the current version.
 * Stored rows are never rewritten; readers always see the current shape.
 */
export interface Upcaster {
  readonly type: string;
  /** The version this function reads; it returns data at `fromVersion + 1`. */
  readonly fromVersion: number;
  readonly upcast: (data: unknown) => unknown;
}

/** The event cannot be read by this build: unknown type, newer version, or a missing step. */
export class EventSchemaError extends Error {
  constructor(
    message: string,
    readonly eventType: string,
    readonly schemaVersion: number,
  ) {
    super(message);
    this.name = 'EventSchemaError';
  }
}

/**
 * Builds the read-side upcaster for one family of events.
 * `currentVersions` names every known type and the version new events are written at.
 */
export function createUpcaster(
  currentVersions: Readonly<Record<string, number>>,
  upcasters: readonly Upcaster[],
): (event: StoredEvent) => StoredEvent {
  const steps = new Map<string, Upcaster['upcast']>();
  for (const step of upcasters) {
    const key = `${step.type}@${step.fromVersion}`;
    if (steps.has(key)) throw new Error(`two upcasters registered for ${step.type} v${step.fromVersion}`);
    steps.set(key, step.upcast);
  }
  return (event) => {
    if (!Object.prototype.hasOwnProperty.call(currentVersions, event.type)) {
      throw new EventSchemaError(
        `unknown event type "${event.type}" in stream ${event.streamId} at version ${event.version}`,
        event.type,
        event.schemaVersion,
      );
    }
    const current = currentVersions[event.type];
    const from = event.schemaVersion;
    if (!Number.isSafeInteger(from) || from < 1) {
      throw new EventSchemaError(`event ${event.type} has an invalid schema version ${String(from)}`, event.type, from);
    }
    if (from > current) {
      throw new EventSchemaError(
        `event ${event.type} v${from} is newer than the v${current} this build reads (stream ${event.streamId}, version ${event.version}); deploy the newer reader`,
        event.type,
        from,
      );
    }
    if (from === current) return event;
    let data = event.data;
    for (let version = from; version < current; version++) {
      const step = steps.get(`${event.type}@${version}`);
      if (!step) {
        throw new EventSchemaError(`no upcaster for ${event.type} v${version} -> v${version + 1}`, event.type, from);
      }
      data = step(data);
    }
    return { ...event, schemaVersion: current, data };
  };
}
