import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Live outbox-relay replicas: each one heartbeats its row, and every replica derives its fair
 * share of the outbox partitions (outbox_leases) from the members with a fresh heartbeat. A
 * replica that holds no partition yet is visible here, so the others make room for it.
 */
export class OutboxRelayMembers1795910400005 implements MigrationInterface {
  readonly name = 'OutboxRelayMembers1795910400005';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE outbox_relay_members (
        owner text COLLATE "C" PRIMARY KEY,
        heartbeat_at timestamptz NOT NULL,
        joined_at timestamptz NOT NULL
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE outbox_relay_members`);
  }
}
