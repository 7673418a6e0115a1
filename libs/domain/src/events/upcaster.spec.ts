import type { StoredEvent } from './stored-event';
import { createUpcaster, EventSchemaError } from './upcaster';

const stored = (type: string, schemaVersion: number, data: unknown): StoredEvent => ({
  eventId: 'e',
  streamId: 's',
  version: 1,
  position: 1,
  type,
  schemaVersion,
  data,
  metadata: { occurredAt: '2026-01-01T00:00:00.000Z' },
});

describe('createUpcaster', () => {
  const upcast = createUpcaster({ Thing: 3, Other: 1 }, [
    { type: 'Thing', fromVersion: 1, upcast: (d) => ({ ...(d as object), b: 'added in v2' }) },
    { type: 'Thing', fromVersion: 2, upcast: (d) => ({ ...(d as object), c: 'added in v3' }) },
  ]);

  it('chains the steps from the stored version to the current one, in order', () => {
    expect(upcast(stored('Thing', 1, { a: 1 }))).toMatchObject({ schemaVersion: 3, data: { a: 1, b: 'added in v2', c: 'added in v3' } });
    expect(upcast(stored('Thing', 2, { a: 1 })).data).toEqual({ a: 1, c: 'added in v3' });
  });

  it('keeps every other field of the stored event', () => {
    const event = stored('Thing', 1, {});
    const { data: _data, schemaVersion: _v, ...rest } = upcast(event);
    const { data: _d2, schemaVersion: _v2, ...expected } = event;
    expect(rest).toEqual(expected);
  });

  it('fails clearly when a step is missing', () => {
    const gappy = createUpcaster({ Thing: 3 }, [{ type: 'Thing', fromVersion: 1, upcast: (d) => d }]);
    expect(() => gappy(stored('Thing', 1, {}))).toThrow(/no upcaster for Thing v2 -> v3/);
  });

  it('refuses two steps for the same (type, version)', () => {
    expect(() =>
      createUpcaster({ Thing: 2 }, [
        { type: 'Thing', fromVersion: 1, upcast: (d) => d },
        { type: 'Thing', fromVersion: 1, upcast: (d) => d },
      ]),
    ).toThrow(/two upcasters registered for Thing v1/);
  });

  it('reports the type and version on the error', () => {
    try {
      upcast(stored('Other', 2, {}));
      throw new Error('expected a rejection');
    } catch (error) {
      expect(error).toBeInstanceOf(EventSchemaError);
      expect(error).toMatchObject({ eventType: 'Other', schemaVersion: 2 });
    }
  });

  it('does not treat inherited object keys as event types', () => {
    expect(() => upcast(stored('toString', 1, {}))).toThrow(/unknown event type/);
  });
});
