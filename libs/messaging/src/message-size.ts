import { Buffer } from 'node:buffer';
import type { BrokerMessage } from '@oms/domain';

/** Bytes a message occupies on the broker: key + value + header names and values. */
export function messageSize(message: BrokerMessage): number {
  let size = Buffer.byteLength(message.key) + Buffer.byteLength(message.value);
  for (const [name, value] of Object.entries(message.headers)) size += Buffer.byteLength(name) + Buffer.byteLength(value);
  return size;
}
