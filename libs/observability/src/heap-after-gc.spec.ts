import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { heapUsedAfterLastFullGc } from './heap-after-gc';
import { OmsMetrics } from './oms-metrics';

// A full collection on demand: --expose-gc set at run time shows `gc` to new contexts.
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;
const nextTick = () => new Promise((resolve) => setTimeout(resolve, 20));

describe('heap used after the last full collection', () => {
  it('follows live data: retained arrays raise it, released ones lower it', async () => {
    heapUsedAfterLastFullGc();
    collectGarbage();
    await nextTick();
    const before = heapUsedAfterLastFullGc() ?? 0;
    let retained: number[][] | undefined = Array.from({ length: 200 }, () => Array.from({ length: 40_000 }, (_, i) => i + 0.5));

    collectGarbage();
    await nextTick();
    const holding = heapUsedAfterLastFullGc() ?? 0;
    retained = undefined;
    collectGarbage();
    await nextTick();
    const released = heapUsedAfterLastFullGc() ?? 0;

    expect(before).toBeGreaterThan(0);
    expect(retained).toBeUndefined();
    // 200 x 40,000 doubles retained: 64 MB of live data. Three quarters of it must show: other
    // objects of the test process may die between two collections (one run saw 1 MB of that).
    expect(holding - before).toBeGreaterThan(48_000_000);
    expect(holding - released).toBeGreaterThan(48_000_000);
  });

  it('is served as oms_heap_live_bytes', async () => {
    const metrics = new OmsMetrics();
    collectGarbage();
    await nextTick();

    const value = Number(/^oms_heap_live_bytes (\S+)$/m.exec(await metrics.expose())?.[1]);

    expect(value).toBeGreaterThan(1_000_000);
  });
});
