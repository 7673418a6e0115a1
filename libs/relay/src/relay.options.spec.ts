import { loadConfig } from '@oms/config';
import { relayOptionsFromConfig } from './relay.options';

describe('relayOptionsFromConfig', () => {
  const pruneInterval = (retention: string) => relayOptionsFromConfig(loadConfig({ OMS_OUTBOX_RETENTION: retention })).pruneIntervalMs;

  it('prunes about as often as the retention, between 1 s and 1 min', () => {
    expect(pruneInterval('1h')).toBe(60_000);
    expect(pruneInterval('10s')).toBe(10_000);
    expect(pruneInterval('200ms')).toBe(1_000);
  });

  it('prunes once a minute at retention 0, where rows are deleted as they are published', () => {
    // Only rows sent before the switch are left for it: no empty delete every second on every replica.
    expect(pruneInterval('0')).toBe(60_000);
    expect(relayOptionsFromConfig(loadConfig({ OMS_OUTBOX_RETENTION: '0' })).retentionMs).toBe(0);
    expect(relayOptionsFromConfig(loadConfig({ OMS_OUTBOX_MIN_ROUND_INTERVAL: '25ms' })).minRoundIntervalMs).toBe(25);
  });
});
