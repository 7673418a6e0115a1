import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The orders_view read model behind GetOrder and ListOrders (keyset pagination, newest first). */
export class OrdersView1795910400002 implements MigrationInterface {
  readonly name = 'OrdersView1795910400002';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE orders_view (
        order_id text COLLATE "C" PRIMARY KEY,
        customer_id text COLLATE "C" NOT NULL,
        status text NOT NULL,
        currency text NOT NULL,
        total_minor bigint NOT NULL,
        items jsonb NOT NULL,
        version integer NOT NULL,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      )`);
    await queryRunner.query(
      `CREATE INDEX orders_view_customer_idx ON orders_view (customer_id, created_at DESC, order_id DESC)`,
    );
    // ListOrders with filter_statuses: one range scan per requested status.
    await queryRunner.query(
      `CREATE INDEX orders_view_customer_status_idx ON orders_view (customer_id, status, created_at DESC, order_id DESC)`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE orders_view`);
  }
}
