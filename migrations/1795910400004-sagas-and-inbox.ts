import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Saga instances with their timers, and the consumer inbox (processed message ids). */
export class SagasAndInbox1795910400004 implements MigrationInterface {
  readonly name = 'SagasAndInbox1795910400004';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE sagas (
        saga_id text COLLATE "C" PRIMARY KEY,
        order_id text COLLATE "C" NOT NULL,
        kind text NOT NULL,
        status text NOT NULL,
        state jsonb NOT NULL,
        version integer NOT NULL CHECK (version > 0),
        next_attempt_at timestamptz,
        deadline_at timestamptz,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      )`);
    await queryRunner.query(`CREATE INDEX sagas_order_id_idx ON sagas (order_id, created_at)`);
    // The recovery sweep only ever looks at running sagas whose timer is due.
    await queryRunner.query(`CREATE INDEX sagas_due_idx ON sagas (next_attempt_at) WHERE status = 'RUNNING'`);
    await queryRunner.query(`CREATE INDEX sagas_status_idx ON sagas (status)`);
    await queryRunner.query(`
      CREATE TABLE processed_messages (
        consumer text COLLATE "C" NOT NULL,
        message_id text COLLATE "C" NOT NULL,
        processed_at timestamptz NOT NULL,
        PRIMARY KEY (consumer, message_id)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE processed_messages`);
    await queryRunner.query(`DROP TABLE sagas`);
  }
}
