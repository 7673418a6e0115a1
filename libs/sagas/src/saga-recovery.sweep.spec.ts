import { Logger } from '@nestjs/common';
import { loadConfig } from '@oms/config';
import type { SagaRecord, SagaStore } from '@oms/domain';
import { FixedClock } from '@oms/domain/testing';
import { SagaRecoverySweep } from './saga-recovery.sweep';
import type { SagaRunner } from './saga-runner';

/** A store whose claim waits until the test lets it go, or fails when told to. */
function gatedStore(due: Partial<SagaRecord>[]) {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const store = {
    claims: 0,
    fail: false,
    async claimDue(): Promise<SagaRecord[]> {
      store.claims++;
      if (store.fail) throw new Error('connection refused');
      await gate;
      return due as SagaRecord[];
    },
    countRunning: async () => due.length,
  };
  return { store, release };
}

function sweepOver(store: object) {
  const driven: string[] = [];
  const runner = { isDriving: () => false, drive: async (sagaId: string) => void driven.push(sagaId) };
  const config = loadConfig({ OMS_SAGA_SWEEP_INTERVAL: '0' });
  const sweep = new SagaRecoverySweep(config, store as unknown as SagaStore, runner as unknown as SagaRunner, new FixedClock());
  return { sweep, driven };
}

describe('SagaRecoverySweep', () => {
  it('skips a tick while a sweep is still claiming, so a slow claim is never run twice at once', async () => {
    const { store, release } = gatedStore([{ sagaId: 'saga-a' }, { sagaId: 'saga-b' }]);
    const { sweep, driven } = sweepOver(store);

    const first = sweep.tick();
    await expect(sweep.tick()).resolves.toBe(0);
    expect(store.claims).toBe(1);

    release();
    await expect(first).resolves.toBe(2);
    expect(driven).toEqual(['saga-a', 'saga-b']);
    await expect(sweep.tick()).resolves.toBe(2); // the next tick sweeps again
    expect(store.claims).toBe(2);
  });

  it('logs a failed sweep, resolves 0 and shuts down at once', async () => {
    const { store } = gatedStore([]);
    store.fail = true;
    const { sweep } = sweepOver(store);
    const errors: string[] = [];
    const spy = jest.spyOn(Logger.prototype, 'error').mockImplementation((message: unknown) => void errors.push(String(message)));
    try {
      await expect(sweep.tick()).resolves.toBe(0);
      expect(errors).toEqual(['saga sweep failed: connection refused']);
    } finally {
      spy.mockRestore();
    }
    await expect(sweep.beforeApplicationShutdown()).resolves.toBeUndefined();
  });
});
