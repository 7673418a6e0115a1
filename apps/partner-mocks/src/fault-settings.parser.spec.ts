import { MAX_LATENCY_MS, parseFaultSettings } from './fault-settings.parser';

describe('parseFaultSettings', () => {
  it('accepts either setting or both, and an empty object', () => {
    expect(parseFaultSettings({ latencyMs: 250, errorRate: 0.2 })).toEqual({ ok: true, value: { latencyMs: 250, errorRate: 0.2 } });
    expect(parseFaultSettings({ errorRate: 1 })).toEqual({ ok: true, value: { errorRate: 1 } });
    expect(parseFaultSettings({})).toEqual({ ok: true, value: {} });
    expect(parseFaultSettings({ refuseRefunds: true })).toEqual({ ok: true, value: { refuseRefunds: true } });
  });

  it('names every invalid or unknown field', () => {
    expect(parseFaultSettings({ latencyMs: MAX_LATENCY_MS + 1, errorRate: '0.5', refuseRefunds: 'yes', latency: 1 })).toEqual({
      ok: false,
      violations: [
        { field: 'latencyMs', reason: `must be an integer from 0 to ${MAX_LATENCY_MS}` },
        { field: 'errorRate', reason: 'must be a number from 0 to 1' },
        { field: 'refuseRefunds', reason: 'must be true or false' },
        { field: 'latency', reason: 'is not a fault setting (latencyMs, errorRate, refuseRefunds)' },
      ],
    });
    expect(parseFaultSettings({ latencyMs: 1.5, errorRate: -0.1 })).toMatchObject({ ok: false, violations: [{ field: 'latencyMs' }, { field: 'errorRate' }] });
  });

  it('requires a JSON object', () => {
    for (const body of [null, [], 'x', 3]) {
      expect(parseFaultSettings(body)).toEqual({ ok: false, violations: [{ field: '(body)', reason: 'must be a JSON object' }] });
    }
  });
});
