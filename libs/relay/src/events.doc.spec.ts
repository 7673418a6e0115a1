import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ORDER_EVENT_CATALOG, toOutboxMessage } from '@oms/contracts';
import { DLQ_ERROR_HEADER, DLQ_SOURCE_HEADERS } from '@oms/sagas';
import { DEAD_LETTER_HEADERS } from './dead-letter';

// docs/events.md is where a consumer looks for the wire format: it must name every event type
// with its version and data fields, every header OMS sets and every envelope field.
const doc = readFileSync(join(__dirname, '../../../docs/events.md'), 'utf8');
const rowOf = (type: string) => doc.split('\n').find((line) => line.startsWith(`| \`${type}\` |`));

describe('docs/events.md', () => {
  it.each(Object.entries(ORDER_EVENT_CATALOG))('describes %s with its schema version and every data field', (type, contract) => {
    const row = rowOf(type);
    expect(row).toBeDefined();
    expect(row?.split('|')[2]?.trim()).toBe(String(contract.schemaVersion));
    const fields = Object.keys((contract.dataSchema['properties'] ?? {}) as Record<string, unknown>);
    for (const field of fields) expect(row).toContain(`\`${field}\``);
  });

  it('names every envelope field and header of a published event', () => {
    const message = toOutboxMessage(
      {
        eventId: 'e-1',
        type: 'OrderConfirmed',
        schemaVersion: 1,
        streamId: 'order-o-1',
        version: 5,
        position: 9,
        data: { orderId: 'o-1', sagaId: 's-1' },
        metadata: { occurredAt: '2026-01-01T00:00:00.000Z', traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' },
      } as never,
      'o-1',
    );
    for (const field of Object.keys(JSON.parse(message.payload) as object)) expect(doc).toContain(`| \`${field}\` |`);
    for (const header of Object.keys(message.headers)) expect(doc).toContain(`| \`${header}\` |`);
  });

  it('names every header a dead letter gets, from either producer', () => {
    for (const header of Object.values(DEAD_LETTER_HEADERS)) expect(doc).toContain(`\`${header}\``);
    for (const header of [DLQ_ERROR_HEADER, ...Object.values(DLQ_SOURCE_HEADERS)]) expect(doc).toContain(`\`${header}\``);
  });
});
