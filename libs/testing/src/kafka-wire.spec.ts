import { Buffer } from 'node:buffer';
import {
  addApiVersions,
  FrameReader,
  frame,
  rewriteFindCoordinatorResponse,
  rewriteMetadataResponse,
  WireReader,
  WireWriter,
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
