import { OutboxNotifier } from './outbox-notifier.postgres';
import type { SqlExecutor } from './postgres-database';

/** Records each pg_notify the notifier sends: its payload and when it was sent. */
function recordingDb() {
  const sent: { payload: string; at: number }[] = [];
  const db = {
    query: async (_text: string, values?: readonly unknown[]) => {
      sent.push({ payload: String(values?.[1]), at: performance.now() });
      await new Promise((resolve) => setTimeout(resolve, 1));
      return { rows: [], rowCount: 1 };
    },
  } as unknown as SqlExecutor;
  return { db, sent };
}

describe('OutboxNotifier', () => {
  it('sends the first notification at once and the ones of later commits together, an interval later', async () => {
    const { db, sent } = recordingDb();
    const notifier = new OutboxNotifier(db, 200);
    notifier.announce([3]);
    expect(sent).toHaveLength(1); // no wait after a quiet spell
    notifier.announce([1]);
    notifier.announce([3, 1]);
    notifier.announce([5]);
    await notifier.idle();

    expect(sent.map((note) => note.payload)).toEqual(['3', '1,3,5']);
    expect(sent[1].at - sent[0].at).toBeGreaterThanOrEqual(195); // timers may fire a millisecond early
  });

  it('sends each commit at once after the interval has passed', async () => {
    const { db, sent } = recordingDb();
    const notifier = new OutboxNotifier(db, 50);
    notifier.announce([1]);
    await notifier.idle();
    await new Promise((resolve) => setTimeout(resolve, 80));
    notifier.announce([2]);
    expect(sent.map((note) => note.payload)).toEqual(['1', '2']);
    await notifier.idle();
  });

  it('with no interval, coalesces only the commits that land while a notification is being sent', async () => {
    const { db, sent } = recordingDb();
    const notifier = new OutboxNotifier(db);
    notifier.announce([1]);
    notifier.announce([2]);
    await notifier.idle();
    notifier.announce([4]);
    await notifier.idle();
    expect(sent.map((note) => note.payload)).toEqual(['1', '2', '4']);
  });
});
