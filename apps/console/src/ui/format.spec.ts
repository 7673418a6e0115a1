import { isoTime, money, statusLabel, statusTone, unixTime } from './format';

describe('format', () => {
  it('writes minor units as a decimal amount with its currency', () => {
    expect(money({ currency: 'EUR', amountMinor: '123456789' })).toBe('1,234,567.89 EUR');
    expect(money({ currency: 'USD', amountMinor: '5' })).toBe('0.05 USD');
    expect(money({ currency: 'USD', amountMinor: '-250' })).toBe('-2.50 USD');
    expect(money(undefined)).toBe('—');
  });

  it('writes times in UTC to the second', () => {
    expect(unixTime('1700000000')).toBe('2023-11-14 22:13:20 UTC');
    expect(unixTime('0')).toBe('—');
    expect(isoTime('2026-12-06T19:00:00.123Z')).toBe('2026-12-06 19:00:00 UTC');
    expect(isoTime('soon')).toBe('soon');
    expect(isoTime(null)).toBe('—');
  });

  it('names statuses without the enum prefix and gives each a tone', () => {
    expect(statusLabel('ORDER_STATUS_CONFIRMED')).toBe('CONFIRMED');
    expect(statusTone('ORDER_STATUS_CONFIRMED')).toBe('ok');
    expect(statusTone('COMPENSATION_FAILED')).toBe('bad');
    expect(statusTone('ORDER_STATUS_REFUNDED')).toBe('warn');
    expect(statusTone('RUNNING')).toBe('busy');
    expect(statusTone('ORDER_STATUS_PENDING')).toBe('plain');
  });
});
