/** Time and ids enter the application through these ports, so handlers and tests stay deterministic. */
export abstract class Clock {
  abstract now(): Date;
}

export abstract class IdGenerator {
  /** A new unique, time-ordered id (UUID v7 text). */
  abstract newId(): string;
}

export class SystemClock extends Clock {
  now(): Date {
    return new Date();
  }
}

const HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));
/** Random bytes per id: 74 random bits take 10 bytes once version and variant are set. */
const RANDOM_BYTES = 10;
const POOL_IDS = 400;

/**
 * UUID v7 (RFC 9562): 48-bit millisecond timestamp then random bits, so ids sort by
 * creation time and index well. Uses the global Web Crypto, no imports. Random bytes are drawn
 * for 400 ids at a time: one Web Crypto call per id cost more than the rest of the id.
 */
export class UuidV7IdGenerator extends IdGenerator {
  private readonly pool = new Uint8Array(RANDOM_BYTES * POOL_IDS);
  private offset = this.pool.length;

  newId(): string {
    if (this.offset === this.pool.length) {
      globalThis.crypto.getRandomValues(this.pool);
      this.offset = 0;
    }
    const r = this.pool;
    const o = this.offset;
    this.offset += RANDOM_BYTES;
    const time = Date.now().toString(16).padStart(12, '0');
    const version = HEX[(r[o] & 0x0f) | 0x70];
    const variant = HEX[(r[o + 2] & 0x3f) | 0x80];
    return (
      `${time.slice(0, 8)}-${time.slice(8)}-${version}${HEX[r[o + 1]]}-${variant}${HEX[r[o + 3]]}-` +
      `${HEX[r[o + 4]]}${HEX[r[o + 5]]}${HEX[r[o + 6]]}${HEX[r[o + 7]]}${HEX[r[o + 8]]}${HEX[r[o + 9]]}`
    );
  }
}
