import { Client } from 'pg';
import { OUTBOX_NOTIFY_CHANNEL } from './unit-of-work.postgres';

export interface PostgresOutboxListenerOptions {
  readonly dsn: string;
  /**
   * Called on every NOTIFY oms_outbox with the partitions that got rows, and with `undefined`
   * after a (re)connect, when notifications may have been missed.
   */
  readonly onNotify: (partitions: readonly number[] | undefined) => void;
  /** Shown in pg_stat_activity; default 'oms-outbox-listener'. */
  readonly applicationName?: string;
  /** Reconnect backoff: doubles from the base up to the cap (defaults 200 ms and 10 s). */
  readonly reconnectDelayMs?: number;
  readonly maxReconnectDelayMs?: number;
  readonly logger?: { warn(message: string): void; log?(message: string): void };
}

/**
 * LISTEN oms_outbox on a dedicated connection (never from the pool: a pooled connection is
 * handed to other work and its LISTEN would be lost). A lost connection is re-established
 * with capped exponential backoff; the poll interval of the relay covers the gap.
 */
export class PostgresOutboxListener {
  private client: Client | undefined;
  private running = false;
  private failures = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private connecting: Promise<void> | undefined;

  constructor(private readonly options: PostgresOutboxListenerOptions) {}

  /** True while a connection is LISTENing. */
  get listening(): boolean {
    return this.client !== undefined;
  }

  /** Connects and LISTENs; when the database is unreachable, keeps retrying in the background. */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    await this.connect();
  }

  async close(): Promise<void> {
    this.running = false;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    await this.connecting;
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private connect(): Promise<void> {
    this.connecting = this.tryConnect().finally(() => (this.connecting = undefined));
    return this.connecting;
  }

  private async tryConnect(): Promise<void> {
    const client = new Client({
      connectionString: this.options.dsn,
      application_name: this.options.applicationName ?? 'oms-outbox-listener',
      connectionTimeoutMillis: 10_000,
      // A silently dead peer (network cut) is noticed and reconnected.
      keepAlive: true,
    });
    client.on('notification', (message) => {
      if (message.channel !== OUTBOX_NOTIFY_CHANNEL) return;
      this.options.onNotify(parsePartitions(message.payload));
    });
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client, new Error('connection ended')));
    try {
      await client.connect();
      await client.query(`LISTEN ${OUTBOX_NOTIFY_CHANNEL}`);
    } catch (error) {
      await client.end().catch(() => undefined);
      this.scheduleReconnect(error);
      return;
    }
    if (!this.running) {
      await client.end().catch(() => undefined);
      return;
    }
    if (this.failures > 0) this.options.logger?.log?.(`LISTEN ${OUTBOX_NOTIFY_CHANNEL} re-established after ${this.failures} failure(s)`);
    this.failures = 0;
    this.client = client;
    // Rows committed while nobody listened are announced by no one else.
    this.options.onNotify(undefined);
  }

  private lost(client: Client, error: unknown): void {
    if (this.client !== client) return;
    this.client = undefined;
    void client.end().catch(() => undefined);
    if (this.running) this.scheduleReconnect(error);
  }

  private scheduleReconnect(error: unknown): void {
    if (!this.running) return;
    this.failures++;
    const base = this.options.reconnectDelayMs ?? 200;
    const cap = this.options.maxReconnectDelayMs ?? 10_000;
    const delay = Math.min(cap, base * 2 ** Math.min(this.failures - 1, 20));
    if (this.failures === 1 || this.failures % 10 === 0) {
      this.options.logger?.warn(
        `LISTEN ${OUTBOX_NOTIFY_CHANNEL} connection lost or refused (${this.failures}x), retrying in ${delay} ms: ${
          error instanceof Error ? error.message : String(error)
        }`,
      );
    }
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (this.running) void this.connect();
    }, delay);
    this.retryTimer.unref();
  }
}

/** "3,7" -> [3, 7]; anything unreadable -> undefined (treated as "some partition"). */
export function parsePartitions(payload: string | undefined): readonly number[] | undefined {
  if (!payload) return undefined;
  const partitions = payload.split(',').map((part) => Number(part));
  return partitions.every((partition) => Number.isSafeInteger(partition) && partition >= 0) ? partitions : undefined;
}
