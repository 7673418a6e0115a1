import { ISO_4217_ACTIVE_CURRENCIES, isIso4217Currency } from './currency';
import { isCurrencyCode } from './money';

describe('ISO 4217 currencies', () => {
  it('holds only well-formed, unique, sorted codes', () => {
    for (const code of ISO_4217_ACTIVE_CURRENCIES) expect(code).toMatch(/^[A-Z]{3}$/);
    expect(new Set(ISO_4217_ACTIVE_CURRENCIES).size).toBe(ISO_4217_ACTIVE_CURRENCIES.length);
    expect([...ISO_4217_ACTIVE_CURRENCIES].sort()).toEqual(ISO_4217_ACTIVE_CURRENCIES);
  });

  it('every code is one the runtime ICU data knows as a currency (catches typos)', () => {
    const known = new Set(Intl.supportedValuesOf('currency'));
    // Codes introduced since 2021 may be missing from an older ICU build.
    const recent = new Set(['VED', 'XCG', 'ZWG', 'SLE']);
    const unknown = ISO_4217_ACTIVE_CURRENCIES.filter((code) => !known.has(code) && !recent.has(code));
    expect(unknown).toEqual([]);
  });

  it.each(['EUR', 'USD', 'GBP', 'JPY', 'CHF', 'XCG', 'ZWG', 'SLE'])('%s is active', (code) => {
    expect(isIso4217Currency(code)).toBe(true);
    expect(isCurrencyCode(code)).toBe(true);
  });

  it.each(['eur', 'EU', 'EURO', 'ABC', 'XXX', 'XTS', 'XAU', 'HRK', 'CUC', 'ZWL', ''])('%p is not accepted', (code) => {
    expect(isIso4217Currency(code)).toBe(false);
    expect(isCurrencyCode(code)).toBe(false);
  });
});
