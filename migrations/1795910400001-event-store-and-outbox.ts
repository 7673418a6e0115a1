import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The event store and the transactional outbox that carries its events to the broker.
 * Ids are compared byte-wise (COLLATE "C") so that every driver sorts them the same way.
 */
export class EventStoreAndOutbox1795910400001 implements MigrationInterface {
  readonly name = 'EventStoreAndOutbox1795910400001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE events (
        position bigserial PRIMARY KEY,
        event_id uuid NOT NULL,
        stream_id text COLLATE "C" NOT NULL,
        version integer NOT NULL CHECK (version > 0),
        type text NOT NULL,
        schema_version integer NOT NULL CHECK (schema_version > 0),
        data jsonb NOT NULL,
        metadata jsonb NOT NULL,
        occurred_at timestamptz NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT events_event_id_key UNIQUE (event_id),
        CONSTRAINT events_stream_version_key UNIQUE (stream_id, version)
      )`);
    await queryRunner.query(`
      CREATE TABLE outbox (
        id bigserial PRIMARY KEY,
        message_id text NOT NULL,
        topic text NOT NULL,
        key text NOT NULL,
        partition integer NOT NULL CHECK (partition >= 0),
        payload text NOT NULL,
        headers jsonb NOT NULL,
        status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
        attempts integer NOT NULL DEFAULT 0,
        last_error text,
        created_at timestamptz NOT NULL,
        sent_at timestamptz
      )`);
    // The relay reads pending rows of its partitions in id order: indexing only pending rows by id
    // keeps that fetch from walking the sent history (sent rows are pruned by age).
    await queryRunner.query(`CREATE INDEX outbox_pending_idx ON outbox (id) WHERE status = 'pending'`);
    await queryRunner.query(`CREATE INDEX outbox_sent_at_idx ON outbox (sent_at) WHERE status = 'sent'`);
    // One row per outbox partition: which relay replica publishes it, until when.
    await queryRunner.query(`
      CREATE TABLE outbox_leases (
        partition integer PRIMARY KEY CHECK (partition >= 0),
        owner text NOT NULL,
        lease_until timestamptz NOT NULL,
        heartbeat_at timestamptz NOT NULL
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE outbox_leases`);
    await queryRunner.query(`DROP TABLE outbox`);
    await queryRunner.query(`DROP TABLE events`);
  }
}
