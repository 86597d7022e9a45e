import { closureRate, percent } from './ledger-totals';

describe('closure rate', () => {
  it('is closed over closable, to four places, and whole when there is nothing to close', () => {
    expect(closureRate(161, 165)).toBe(0.9758);
    expect(closureRate(1, 3)).toBe(0.3333);
    expect(closureRate(0, 4)).toBe(0);
    expect(closureRate(0, 0)).toBe(1);
    expect(percent(closureRate(161, 165))).toBe('97.6%');
    expect(percent(closureRate(0, 0))).toBe('100%');
  });
});
