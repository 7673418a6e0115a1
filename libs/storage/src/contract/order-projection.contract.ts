import { DomainError, type OrderStatus, type OrderView } from '@oms/domain';
import { anOrderView, newId, rejectionOf, useSubject, type StorageContractFactory } from './storage-contract.fixtures';

/** OrderProjection: get/upsert, and keyset-paged lists per customer, newest first, with a status filter. */
export function describeOrderProjectionContract(name: string, factory: StorageContractFactory): void {
  describe(`OrderProjection contract: ${name}`, () => {
    const subject = useSubject(factory);
    const projection = () => subject().drivers.projection;

    /** Pages through the whole list, checking every page's size; returns the rows in order. */
    const listAll = async (customerId: string, statuses: OrderStatus[], limit: number) => {
      const pages: OrderView[][] = [];
      let cursor: string | undefined;
      do {
        const page = await projection().list({ customerId, statuses, limit, cursor });
        pages.push(page.orders);
        cursor = page.nextCursor;
        if (cursor !== undefined) {
          expect(page.orders).toHaveLength(limit);
          expect(typeof cursor).toBe('string');
        }
        expect(pages.length).toBeLessThan(50);
      } while (cursor !== undefined);
      return { rows: pages.flat(), pages };
    };

    /** Six orders of one customer: two share a createdAt (ordered then by order id desc). */
    const seedCustomer = async () => {
      const customerId = newId();
      const other = newId();
      const at = (minute: number) => `2026-03-01T10:${String(minute).padStart(2, '0')}:00.000Z`;
      const views = [
        anOrderView({ customerId, createdAt: at(1), status: 'PENDING' }),
        anOrderView({ customerId, createdAt: at(5), status: 'CONFIRMED' }),
        anOrderView({ customerId, createdAt: at(3), status: 'CANCELED' }),
        anOrderView({ customerId, createdAt: at(3), status: 'CONFIRMED' }),
        anOrderView({ customerId, createdAt: at(9), status: 'PENDING' }),
        anOrderView({ customerId, createdAt: at(7), status: 'PAID' }),
        anOrderView({ customerId: other, createdAt: at(4), status: 'PENDING' }),
      ];
      for (const view of views) await projection().upsert(view);
      const expected = views
        .filter((view) => view.customerId === customerId)
        .sort((a, b) => b.createdAt.localeCompare(a.createdAt) || (a.orderId < b.orderId ? 1 : a.orderId > b.orderId ? -1 : 0));
      return { customerId, expected };
    };

    it('returns null for an unknown order', async () => {
      await expect(projection().get(newId())).resolves.toBeNull();
    });

    it('stores a view and replaces it on the next upsert', async () => {
      const view = anOrderView();
      await projection().upsert(view);
      await expect(projection().get(view.orderId)).resolves.toEqual(view);

      const paid: OrderView = { ...view, status: 'PAID', version: 3, updatedAt: '2026-03-01T10:05:00.000Z' };
      await projection().upsert(paid);
      await expect(projection().get(view.orderId)).resolves.toEqual(paid);
    });

    it('keeps large amounts and every item exactly', async () => {
      const view = anOrderView({
        totalMinor: Number.MAX_SAFE_INTEGER,
        items: Array.from({ length: 100 }, (_, i) => ({ sku: `SKU-${i}-ü`, qty: 10_000, unitPriceMinor: i })),
      });
      await projection().upsert(view);
      await expect(projection().get(view.orderId)).resolves.toEqual(view);
    });

    it('lists a customer’s orders newest first, ties by order id descending, other customers excluded', async () => {
      const { customerId, expected } = await seedCustomer();
      const page = await projection().list({ customerId, statuses: [], limit: 100 });
      expect(page.orders).toEqual(expected);
      expect(page.nextCursor).toBeUndefined();
    });

    it('pages with a cursor without gaps or repeats, and has no cursor on the last page', async () => {
      const { customerId, expected } = await seedCustomer();
      for (const limit of [1, 2, 3, 4, 6]) {
        const { rows, pages } = await listAll(customerId, [], limit);
        expect(rows.map((row) => row.orderId)).toEqual(expected.map((row) => row.orderId));
        expect(pages).toHaveLength(Math.ceil(expected.length / limit));
      }
    });

    it('filters by status across pages', async () => {
      const { customerId, expected } = await seedCustomer();
      const statuses: OrderStatus[] = ['CONFIRMED', 'PENDING'];
      const wanted = expected.filter((row) => statuses.includes(row.status));
      expect(wanted).toHaveLength(4);
      const { rows, pages } = await listAll(customerId, statuses, 3);
      expect(rows).toEqual(wanted);
      expect(pages).toHaveLength(2);

      const single = await listAll(customerId, ['CANCELED'], 1);
      expect(single.rows.map((row) => row.status)).toEqual(['CANCELED']);
      expect(single.pages).toHaveLength(1);

      const none = await projection().list({ customerId, statuses: ['REFUNDED'], limit: 10 });
      expect(none).toEqual({ orders: [] });
    });

    it('sees a status change between pages through the filter', async () => {
      const { customerId, expected } = await seedCustomer();
      const first = await projection().list({ customerId, statuses: ['PENDING', 'CONFIRMED', 'CANCELED', 'PAID'], limit: 2 });
      expect(first.orders).toEqual(expected.slice(0, 2));
      // The third row changes status to one outside the filter before the next page is read.
      await projection().upsert({ ...expected[2], status: 'REFUNDED', version: expected[2].version + 1 });
      const second = await projection().list({
        customerId,
        statuses: ['PENDING', 'CONFIRMED', 'CANCELED', 'PAID'],
        limit: 10,
        cursor: first.nextCursor,
      });
      expect(second.orders.map((row) => row.orderId)).toEqual(expected.slice(3).map((row) => row.orderId));
    });

    it('returns an empty page for a customer without orders', async () => {
      await expect(projection().list({ customerId: newId(), statuses: [], limit: 10 })).resolves.toEqual({ orders: [] });
    });

    it('refuses a cursor for another customer or another status filter, naming pageToken', async () => {
      const { customerId, expected } = await seedCustomer();
      const other = await seedCustomer();
      const first = await projection().list({ customerId, statuses: ['PENDING', 'CONFIRMED'], limit: 1 });
      expect(first.nextCursor).toEqual(expect.any(String));

      const misuses = [
        { customerId: other.customerId, statuses: ['PENDING', 'CONFIRMED'] as OrderStatus[] },
        { customerId, statuses: ['PENDING'] as OrderStatus[] },
        { customerId, statuses: [] as OrderStatus[] },
        { customerId, statuses: ['PENDING', 'CONFIRMED', 'PAID'] as OrderStatus[] },
      ];
      for (const query of misuses) {
        const error = await rejectionOf(projection().list({ ...query, limit: 10, cursor: first.nextCursor }));
        expect(error).toBeInstanceOf(DomainError);
        expect(error).toMatchObject({ code: 'VALIDATION_FAILED' });
        expect((error as DomainError).violations.map((violation) => violation.field)).toEqual(['pageToken']);
      }

      // The same filter written in another order, or with a repeat, is the same query.
      const next = await projection().list({ customerId, statuses: ['CONFIRMED', 'PENDING', 'CONFIRMED'], limit: 10, cursor: first.nextCursor });
      const wanted = expected.filter((row) => row.status === 'PENDING' || row.status === 'CONFIRMED');
      expect([...first.orders, ...next.orders].map((row) => row.orderId)).toEqual(wanted.map((row) => row.orderId));
    });

    it('rejects a malformed cursor with VALIDATION_FAILED naming pageToken', async () => {
      const { customerId } = await seedCustomer();
      const malformed = [
        'not a cursor!',
        '%%%',
        Buffer.from('garbage', 'utf8').toString('base64url'),
        Buffer.from(JSON.stringify({ createdAt: 1 }), 'utf8').toString('base64url'),
        Buffer.from(JSON.stringify(['not-a-date', newId()]), 'utf8').toString('base64url'),
        Buffer.from(JSON.stringify(['not-a-date', newId(), 'digest']), 'utf8').toString('base64url'),
        // The unbound form: a valid sort key without the query it belongs to.
        Buffer.from(JSON.stringify(['2026-03-01T10:05:00.000Z', newId()]), 'utf8').toString('base64url'),
        Buffer.from(JSON.stringify([42, 42]), 'utf8').toString('base64url'),
      ];
      for (const cursor of malformed) {
        const error = await rejectionOf(projection().list({ customerId, statuses: [], limit: 10, cursor }));
        expect(error).toBeInstanceOf(DomainError);
        expect(error).toMatchObject({ code: 'VALIDATION_FAILED' });
        expect((error as DomainError).violations.map((violation) => violation.field)).toEqual(['pageToken']);
      }
    });
  });
}
