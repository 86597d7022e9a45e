import { ratesOf, rateLabel, VerdictTally } from './rates';

describe('campaign rates', () => {
  // The seed's county: 错评户74户324人 of 1,415 registered households checked (错评率5.23%),
  // 错退户1户4人 of 1,667 exited households checked (错退率0.06%), 漏评户178户548人, 返贫1户2人.
  const seed: VerdictTally[] = [
    { attribute: 'registered', verdict: 'wrongly_included', households: 74, persons: 324 },
    { attribute: 'registered', verdict: 'correct', households: 1341, persons: 5020 },
    { attribute: 'exited', verdict: 'wrongly_exited', households: 1, persons: 4 },
    { attribute: 'exited', verdict: 'returned_to_poverty', households: 1, persons: 2 },
    { attribute: 'exited', verdict: 'correct', households: 1665, persons: 6100 },
    { attribute: 'non_registered', verdict: 'wrongly_excluded', households: 178, persons: 548 },
    { attribute: 'non_registered', verdict: 'correct', households: 3382, persons: 11000 },
  ];

  it('counts 错评率 over the registered households checked: 74 of 1,415 = 5.23%', () => {
    const r = ratesOf(seed).wronglyIncluded;
    expect(r.households).toEqual({ count: 74, base: 1415, rate: 0.0523, label: '5.23%' });
    expect(r.persons.count).toBe(324);
    expect(r.persons.base).toBe(5344);
    expect(r.persons.label).toBe('6.06%');
  });

  it('counts 错退率 over the exited households checked: 1 of 1,667 = 0.06%', () => {
    const rates = ratesOf(seed);
    expect(rates.wronglyExited.households).toEqual({ count: 1, base: 1667, rate: 0.0006, label: '0.06%' });
    expect(rates.returnedToPoverty.households.count).toBe(1);
    expect(rates.returnedToPoverty.households.base).toBe(1667);
    expect(rates.returnedToPoverty.persons.count).toBe(2);
  });

  it('counts 漏评 over the non-registered households checked, each rate over its own base', () => {
    const r = ratesOf(seed).wronglyExcluded;
    expect(r.households).toEqual({ count: 178, base: 3560, rate: 0.05, label: '5.00%' });
    expect(r.persons).toEqual({ count: 548, base: 11548, rate: 0.0475, label: '4.75%' });
  });

  it('has no rate over an empty base, and rounds as the reports print', () => {
    const rates = ratesOf([{ attribute: 'registered', verdict: 'correct', households: 3, persons: 9 }]);
    expect(rates.wronglyExited.households).toEqual({ count: 0, base: 0, rate: null, label: '—' });
    expect(rates.wronglyIncluded.households.label).toBe('0.00%');
    expect(rateLabel(2 / 3)).toBe('66.67%');
    expect(rateLabel(1)).toBe('100.00%');
  });
});
