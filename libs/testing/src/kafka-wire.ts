import { Buffer } from 'node:buffer';

/**
 * Just enough of the Kafka wire protocol for the test proxy (kafka-proxy.testing.ts): size-prefixed
 * frames, request headers, and the few bodies the proxy reads or writes. Only non-flexible
 * versions (the ones kafkajs and librdkafka's mock cluster agree on); anything else throws,
 * so a test fails loudly instead of a client reading a half-rewritten answer.
 */

export const API_KEYS = { Produce: 0, Fetch: 1, Metadata: 3, FindCoordinator: 10, SaslHandshake: 17, ApiVersions: 18, SaslAuthenticate: 36 } as const;

export const ERROR_CODES = { NONE: 0, UNSUPPORTED_SASL_MECHANISM: 33, ILLEGAL_SASL_STATE: 34, SASL_AUTHENTICATION_FAILED: 58 } as const;

export class KafkaWireError extends Error {
  override readonly name = 'KafkaWireError';
}

/** Splits a byte stream into Kafka frames (the 4-byte size prefix removed). */
export class FrameReader {
  private buffered: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Buffer[] {
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    const frames: Buffer[] = [];
    while (this.buffered.length >= 4) {
      const size = this.buffered.readInt32BE(0);
      if (size < 0 || size > 100 * 1024 * 1024) throw new KafkaWireError(`frame size ${size} is not plausible`);
      if (this.buffered.length < 4 + size) break;
      frames.push(this.buffered.subarray(4, 4 + size));
      this.buffered = this.buffered.subarray(4 + size);
    }
    return frames;
  }
}

export function frame(payload: Buffer): Buffer {
  const size = Buffer.alloc(4);
  size.writeInt32BE(payload.length);
  return Buffer.concat([size, payload]);
}

export class WireReader {
  offset = 0;
  constructor(readonly buffer: Buffer) {}

  int16(): number {
    const value = this.buffer.readInt16BE(this.offset);
    this.offset += 2;
    return value;
  }
  int32(): number {
    const value = this.buffer.readInt32BE(this.offset);
    this.offset += 4;
    return value;
  }
  nullableString(): string | null {
    const length = this.int16();
    if (length < 0) return null;
    const value = this.buffer.toString('utf8', this.offset, this.offset + length);
    this.offset += length;
    return value;
  }
  string(): string {
    const value = this.nullableString();
    if (value === null) throw new KafkaWireError('unexpected null string');
    return value;
  }
  bytes(): Buffer {
    const length = this.int32();
    if (length < 0) return Buffer.alloc(0);
    const value = this.buffer.subarray(this.offset, this.offset + length);
    this.offset += length;
    return value;
  }
  skip(length: number): void {
    this.offset += length;
  }
  rest(): Buffer {
    return this.buffer.subarray(this.offset);
  }
}

export class WireWriter {
  private readonly parts: Buffer[] = [];

  int16(value: number): this {
    const part = Buffer.alloc(2);
    part.writeInt16BE(value);
    this.parts.push(part);
    return this;
  }
  int32(value: number): this {
    const part = Buffer.alloc(4);
    part.writeInt32BE(value);
    this.parts.push(part);
    return this;
  }
  int64(value: bigint): this {
    const part = Buffer.alloc(8);
    part.writeBigInt64BE(value);
    this.parts.push(part);
    return this;
  }
  nullableString(value: string | null): this {
    if (value === null) return this.int16(-1);
    const encoded = Buffer.from(value, 'utf8');
    return this.int16(encoded.length).raw(encoded);
  }
  bytes(value: Buffer): this {
    return this.int32(value.length).raw(value);
  }
  raw(value: Buffer): this {
    this.parts.push(value);
    return this;
  }
  build(): Buffer {
    return Buffer.concat(this.parts);
  }
}

export interface RequestHeader {
  readonly apiKey: number;
  readonly apiVersion: number;
  readonly correlationId: number;
  /** The request body (after client_id; non-flexible request header v1). */
  readonly body: Buffer;
}

export function readRequestHeader(payload: Buffer): RequestHeader {
  const reader = new WireReader(payload);
  const apiKey = reader.int16();
  const apiVersion = reader.int16();
  const correlationId = reader.int32();
  reader.nullableString(); // client_id
  return { apiKey, apiVersion, correlationId, body: reader.rest() };
}

/** A response frame's payload: correlation id (response header v0) then the body. */
export function response(correlationId: number, body: Buffer): Buffer {
  return new WireWriter().int32(correlationId).raw(body).build();
}

export function responseCorrelationId(payload: Buffer): number {
  return payload.readInt32BE(0);
}

/** A broker address as metadata carries it; the mapper returns the address clients should dial instead. */
export type AddressMapper = (host: string, port: number) => { host: string; port: number };

/**
 * Metadata response (v0-v8, non-flexible): [throttle_time_ms (v3+)] brokers[node_id, host,
 * port, rack (v1+)] then cluster id, controller and topics, which are copied as they are.
 */
export function rewriteMetadataResponse(payload: Buffer, version: number, map: AddressMapper): Buffer {
  if (version > 8) throw new KafkaWireError(`Metadata v${version} (flexible) is not supported by the test proxy`);
  const reader = new WireReader(payload);
  const writer = new WireWriter().int32(reader.int32()); // correlation id
  if (version >= 3) writer.int32(reader.int32());
  const brokers = reader.int32();
  writer.int32(brokers);
  for (let i = 0; i < brokers; i++) {
    writer.int32(reader.int32());
    const mapped = map(reader.string(), reader.int32());
    writer.nullableString(mapped.host).int32(mapped.port);
    if (version >= 1) writer.nullableString(reader.nullableString());
  }
  return writer.raw(reader.rest()).build();
}

/** FindCoordinator response v0 (error, node, host, port) or v1-v2 (throttle, error, message, node, host, port). */
export function rewriteFindCoordinatorResponse(payload: Buffer, version: number, map: AddressMapper): Buffer {
  if (version > 2) throw new KafkaWireError(`FindCoordinator v${version} (flexible) is not supported by the test proxy`);
  const reader = new WireReader(payload);
  const writer = new WireWriter().int32(reader.int32());
  if (version >= 1) writer.int32(reader.int32());
  const errorCode = reader.int16();
  writer.int16(errorCode);
  if (version >= 1) writer.nullableString(reader.nullableString());
  writer.int32(reader.int32()); // node id
  const host = reader.string();
  const port = reader.int32();
  // An error answer carries no usable address (an empty host, port -1).
  const mapped = errorCode === 0 ? map(host, port) : { host, port };
  writer.nullableString(mapped.host).int32(mapped.port);
  return writer.raw(reader.rest()).build();
}

/**
 * ApiVersions response v0-v2 with `extra` API ranges added (replacing the broker's own for the
 * same key): how a proxy that speaks SASL itself advertises SaslHandshake / SaslAuthenticate.
 */
export function addApiVersions(payload: Buffer, version: number, extra: Readonly<Record<number, [number, number]>>): Buffer {
  if (version > 2) return payload; // flexible; the proxy's own clients (kafkajs) never ask for it
  const reader = new WireReader(payload);
  const correlationId = reader.int32();
  const errorCode = reader.int16();
  const count = reader.int32();
  const ranges = new Map<number, [number, number]>();
  for (let i = 0; i < Math.max(count, 0); i++) {
    const key = reader.int16();
    ranges.set(key, [reader.int16(), reader.int16()]);
  }
  for (const [key, range] of Object.entries(extra)) ranges.set(Number(key), range);
  const writer = new WireWriter().int32(correlationId).int16(errorCode).int32(ranges.size);
  for (const [key, [min, max]] of [...ranges].sort(([a], [b]) => a - b)) writer.int16(key).int16(min).int16(max);
  return writer.raw(reader.rest()).build();
}

/** SaslHandshake request (v0-v1): the mechanism the client wants. */
export function readSaslHandshakeRequest(body: Buffer): string {
  return new WireReader(body).string();
}

export function saslHandshakeResponse(correlationId: number, errorCode: number, mechanisms: readonly string[]): Buffer {
  const writer = new WireWriter().int32(correlationId).int16(errorCode).int32(mechanisms.length);
  for (const mechanism of mechanisms) writer.nullableString(mechanism);
  return writer.build();
}

/** SaslAuthenticate request (v0-v1): the mechanism's bytes. */
export function readSaslAuthenticateRequest(body: Buffer, version: number): Buffer {
  if (version > 1) throw new KafkaWireError(`SaslAuthenticate v${version} (flexible) is not supported by the test proxy`);
  return new WireReader(body).bytes();
}

export function saslAuthenticateResponse(
  correlationId: number,
  version: number,
  answer: { errorCode: number; errorMessage: string | null; authBytes: Buffer },
): Buffer {
  const writer = new WireWriter().int32(correlationId).int16(answer.errorCode).nullableString(answer.errorMessage).bytes(answer.authBytes);
  if (version >= 1) writer.int64(0n); // session_lifetime_ms: no re-authentication
  return writer.build();
}

/** Fetch requests v0-v11 (the non-flexible ones) start with replica_id, then max_wait_ms. */
const FETCH_MAX_WAIT_OFFSET = 4;
const LAST_NON_FLEXIBLE_FETCH = 11;

/** The max_wait_ms of a Fetch request body, or null for a version the proxy does not decode. */
export function fetchMaxWait(body: Buffer, version: number): number | null {
  return version <= LAST_NON_FLEXIBLE_FETCH ? body.readInt32BE(FETCH_MAX_WAIT_OFFSET) : null;
}

/** A copy of a Fetch request payload (header included) with its max_wait_ms replaced. */
export function withFetchMaxWait(payload: Buffer, body: Buffer, maxWaitMs: number): Buffer {
  const copy = Buffer.from(payload);
  copy.writeInt32BE(maxWaitMs, payload.length - body.length + FETCH_MAX_WAIT_OFFSET);
  return copy;
}

/**
 * Whether a Fetch response (v0-v11) is an empty wait's answer: no error anywhere and no record
 * bytes in any partition. Anything else (records, an error) is for the client to see at once.
 */
export function isEmptyFetchResponse(payload: Buffer, version: number): boolean {
  if (version > LAST_NON_FLEXIBLE_FETCH) throw new KafkaWireError(`Fetch v${version} (flexible) is not supported by the test proxy`);
  const reader = new WireReader(payload);
  reader.skip(4); // correlation id
  if (version >= 1) reader.skip(4); // throttle_time_ms
  if (version >= 7) {
    if (reader.int16() !== ERROR_CODES.NONE) return false;
    reader.skip(4); // session_id
  }
  const topics = reader.int32();
  for (let t = 0; t < topics; t++) {
    reader.string();
    const partitions = reader.int32();
    for (let p = 0; p < partitions; p++) {
      reader.skip(4); // partition_index
      if (reader.int16() !== ERROR_CODES.NONE) return false;
      reader.skip(8); // high_watermark
      if (version >= 4) reader.skip(8); // last_stable_offset
      if (version >= 5) reader.skip(8); // log_start_offset
      if (version >= 4) reader.skip(Math.max(reader.int32(), 0) * 16); // aborted_transactions: producer_id, first_offset
      if (version >= 11) reader.skip(4); // preferred_read_replica
      if (reader.bytes().length > 0) return false;
    }
  }
  return true;
}
