import { Buffer } from 'node:buffer';
import {
  addApiVersions,
  fetchMaxWait,
  FrameReader,
  frame,
  isEmptyFetchResponse,
  rewriteFindCoordinatorResponse,
  rewriteMetadataResponse,
  WireReader,
  WireWriter,
  withFetchMaxWait,
  type AddressMapper,
} from './kafka-wire';

const toProxy: AddressMapper = (host, port) => ({ host: 'proxy.local', port: port + 1000 });

function metadata(version: number): Buffer {
  const writer = new WireWriter().int32(42);
  if (version >= 3) writer.int32(7); // throttle
  writer.int32(2);
  for (const [id, port] of [[1, 9001], [2, 9002]]) {
    writer.int32(id).nullableString('127.0.0.1').int32(port);
    if (version >= 1) writer.nullableString(id === 1 ? 'rack-a' : null);
  }
  return writer.raw(Buffer.from('TOPICS-AND-THE-REST')).build();
}

function readBrokers(payload: Buffer, version: number) {
  const reader = new WireReader(payload);
  const correlationId = reader.int32();
  if (version >= 3) reader.int32();
  const brokers = Array.from({ length: reader.int32() }, () => ({
    id: reader.int32(),
    host: reader.string(),
    port: reader.int32(),
    ...(version >= 1 ? { rack: reader.nullableString() } : {}),
  }));
  return { correlationId, brokers, rest: reader.rest().toString() };
}

describe('kafka-wire: what the test proxy rewrites', () => {
  it.each([0, 1, 2, 3, 8])('rewrites every broker address of a Metadata v%i answer and keeps the rest', (version) => {
    const rewritten = readBrokers(rewriteMetadataResponse(metadata(version), version, toProxy), version);
    expect(rewritten.correlationId).toBe(42);
    expect(rewritten.brokers.map((b) => `${b.id}@${b.host}:${b.port}`)).toEqual(['1@proxy.local:10001', '2@proxy.local:10002']);
    if (version >= 1) expect(rewritten.brokers.map((b) => b.rack)).toEqual(['rack-a', null]);
    expect(rewritten.rest).toBe('TOPICS-AND-THE-REST');
  });

  it('refuses flexible versions it cannot decode', () => {
    expect(() => rewriteMetadataResponse(metadata(3), 9, toProxy)).toThrow('Metadata v9 (flexible) is not supported');
    expect(() => rewriteFindCoordinatorResponse(Buffer.alloc(8), 3, toProxy)).toThrow('FindCoordinator v3');
  });

  it('rewrites the coordinator of a FindCoordinator v0 and v1 answer, not an error answer', () => {
    const v0 = new WireWriter().int32(5).int16(0).int32(3).nullableString('127.0.0.1').int32(9003).build();
    const r0 = new WireReader(rewriteFindCoordinatorResponse(v0, 0, toProxy));
    expect([r0.int32(), r0.int16(), r0.int32(), r0.string(), r0.int32()]).toEqual([5, 0, 3, 'proxy.local', 10003]);

    const v1 = (error: number) => new WireWriter().int32(6).int32(0).int16(error).nullableString(null).int32(3).nullableString(error ? '' : '127.0.0.1').int32(error ? -1 : 9003).build();
    const r1 = new WireReader(rewriteFindCoordinatorResponse(v1(0), 1, toProxy));
    expect([r1.int32(), r1.int32(), r1.int16(), r1.nullableString(), r1.int32(), r1.string(), r1.int32()]).toEqual([6, 0, 0, null, 3, 'proxy.local', 10003]);
    expect(rewriteFindCoordinatorResponse(v1(15), 1, toProxy)).toEqual(v1(15));
  });

  it('adds the SASL APIs to an ApiVersions answer', () => {
    const answer = new WireWriter().int32(1).int16(0).int32(2).int16(3).int16(0).int16(2).int16(18).int16(0).int16(2).int32(0).build();
    const reader = new WireReader(addApiVersions(answer, 2, { 17: [0, 1], 36: [0, 1] }));
    expect([reader.int32(), reader.int16()]).toEqual([1, 0]);
    const ranges = Array.from({ length: reader.int32() }, () => [reader.int16(), reader.int16(), reader.int16()]);
    expect(ranges).toEqual([[3, 0, 2], [17, 0, 1], [18, 0, 2], [36, 0, 1]]);
    expect(reader.int32()).toBe(0);
  });

  it('splits a byte stream into frames, across chunk boundaries', () => {
    const reader = new FrameReader();
    const bytes = Buffer.concat([frame(Buffer.from('first')), frame(Buffer.from('second'))]);
    expect(reader.push(bytes.subarray(0, 7)).map(String)).toEqual([]);
    expect(reader.push(bytes.subarray(7, 12)).map(String)).toEqual(['first']);
    expect(reader.push(bytes.subarray(12)).map(String)).toEqual(['second']);
  });
});

/** A Fetch response of `version` with one topic of two partitions: `records` bytes in the second, `errorCode` on the first, `topErrorCode` on the whole answer (v7+). */
function fetchResponse(version: number, { records = Buffer.alloc(0), errorCode = 0, topErrorCode = 0 } = {}): Buffer {
  const writer = new WireWriter().int32(9);
  if (version >= 1) writer.int32(0);
  if (version >= 7) writer.int16(topErrorCode).int32(0);
  writer.int32(1).nullableString('oms.order.events').int32(2);
  for (const [partition, bytes, error] of [[0, Buffer.alloc(0), errorCode], [1, records, 0]] as const) {
    writer.int32(partition).int16(error).int64(5n);
    if (version >= 4) writer.int64(5n);
    if (version >= 5) writer.int64(0n);
    if (version >= 4) writer.int32(1).int64(7n).int64(3n); // one aborted transaction
    if (version >= 11) writer.int32(-1);
    writer.bytes(bytes);
  }
  return writer.build();
}

describe('kafka-wire: the long polls of the test proxy', () => {
  it.each([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11])('tells an empty Fetch v%i answer from one with records or an error', (version) => {
    expect(isEmptyFetchResponse(fetchResponse(version), version)).toBe(true);
    expect(isEmptyFetchResponse(fetchResponse(version, { records: Buffer.from('a record batch') }), version)).toBe(false);
    expect(isEmptyFetchResponse(fetchResponse(version, { errorCode: 6 }), version)).toBe(false);
    if (version >= 7) expect(isEmptyFetchResponse(fetchResponse(version, { topErrorCode: 70 }), version)).toBe(false);
  });

  it('reads and replaces the wait of a Fetch request, leaving the rest of it as it was', () => {
    const body = new WireWriter().int32(-1).int32(250).int32(1).raw(Buffer.from('TOPICS')).build();
    const payload = new WireWriter().int16(1).int16(11).int32(77).nullableString('oms-saga').raw(body).build();
    const forwarded = withFetchMaxWait(payload, payload.subarray(payload.length - body.length), 0);
    expect(fetchMaxWait(body, 11)).toBe(250);
    expect(fetchMaxWait(forwarded.subarray(forwarded.length - body.length), 11)).toBe(0);
    expect(forwarded.subarray(0, payload.length - body.length + 4)).toEqual(payload.subarray(0, payload.length - body.length + 4));
    expect(forwarded.subarray(-10)).toEqual(payload.subarray(-10));
    expect(fetchMaxWait(body, 12)).toBeNull();
    expect(() => isEmptyFetchResponse(fetchResponse(11), 12)).toThrow(/flexible/);
  });
});
