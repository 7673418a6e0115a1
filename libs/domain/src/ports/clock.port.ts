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

/**
 * UUID v7 (RFC 9562): 48-bit millisecond timestamp then random bits, so ids sort by
 * creation time and index well. Uses the global Web Crypto, no imports.
 */
export class UuidV7IdGenerator extends IdGenerator {
  newId(): string {
    const bytes = new Uint8Array(16);
    globalThis.crypto.getRandomValues(bytes);
    let ms = Date.now();
    for (let i = 5; i >= 0; i--) {
      bytes[i] = ms % 256;
      ms = Math.floor(ms / 256);
    }
    bytes[6] = (bytes[6] & 0x0f) | 0x70;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }
}
