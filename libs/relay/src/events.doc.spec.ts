import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { toOutboxMessage } from '@oms/contracts';
import { DLQ_ERROR_HEADER, DLQ_SOURCE_HEADERS } from '@oms/sagas';
import { DEAD_LETTER_HEADERS } from './dead-letter';

// docs/events.md is where a consumer looks for the wire format. Event types and body fields are
// checked beside the envelope (libs/contracts); the headers, those of a dead letter included, here.
const doc = readFileSync(join(__dirname, '../../../docs/events.md'), 'utf8');

describe('docs/events.md', () => {
  it('names every header of a published event', () => {
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
    for (const header of Object.keys(message.headers)) expect(doc).toContain(`| \`${header}\` |`);
  });

  it('names every header a dead letter gets, from either producer', () => {
    for (const header of Object.values(DEAD_LETTER_HEADERS)) expect(doc).toContain(`\`${header}\``);
    for (const header of [DLQ_ERROR_HEADER, ...Object.values(DLQ_SOURCE_HEADERS)]) expect(doc).toContain(`\`${header}\``);
  });
});
