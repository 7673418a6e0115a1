import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Stripe-style idempotency keys: one row per (key, scope), deleted by age by the cleanup job.
 * The response is `json`, not `jsonb`: a replay returns the stored body with its keys in the
 * original order, as the first answer had them.
 */
export class IdempotencyKeys1795910400003 implements MigrationInterface {
  readonly name = 'IdempotencyKeys1795910400003';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE idempotency_keys (
        key text COLLATE "C" NOT NULL,
        scope text COLLATE "C" NOT NULL,
        request_hash text NOT NULL,
        status text NOT NULL CHECK (status IN ('in_flight', 'completed')),
        response json,
        locked_until timestamptz,
        created_at timestamptz NOT NULL,
        completed_at timestamptz,
        PRIMARY KEY (key, scope)
      )`);
    await queryRunner.query(`CREATE INDEX idempotency_keys_created_at_idx ON idempotency_keys (created_at)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE idempotency_keys`);
  }
}
