import { parseExposition, total } from './exposition';

const TEXT = `# HELP oms_saga_completed_total Sagas that reached their goal.
# TYPE oms_saga_completed_total counter
oms_saga_completed_total 7
oms_http_requests_total{method="POST",route="/v1/orders",status="201"} 3
oms_http_requests_total{method="POST",route="/v1/orders",status="422"} 1
oms_http_requests_total{method="GET",route="/v1/orders/:id",status="200"} 12
oms_label_escapes{reason="say \\"hi\\"\\nbye"} 1 1700000000000
not a sample line
oms_bad_value NaNx
`;

describe('parseExposition', () => {
  const samples = parseExposition(TEXT);

  it('reads names, labels and values, skipping comments and malformed lines', () => {
    expect(samples.map((sample) => sample.name)).toEqual([
      'oms_saga_completed_total',
      'oms_http_requests_total',
      'oms_http_requests_total',
      'oms_http_requests_total',
      'oms_label_escapes',
    ]);
    expect(samples[1].labels).toEqual({ method: 'POST', route: '/v1/orders', status: '201' });
  });

  it('unescapes label values and ignores a trailing timestamp', () => {
    expect(samples[4]).toEqual({ name: 'oms_label_escapes', labels: { reason: 'say "hi"\nbye' }, value: 1 });
  });

  it('sums the samples that match the labels asked for, 0 for an absent metric', () => {
    expect(total(samples, 'oms_http_requests_total')).toBe(16);
    expect(total(samples, 'oms_http_requests_total', { method: 'POST', status: '201' })).toBe(3);
    expect(total(samples, 'oms_saga_completed_total')).toBe(7);
    expect(total(samples, 'oms_missing_total')).toBe(0);
  });
});
