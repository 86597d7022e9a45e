import type { HouseholdAttribute, Verdict } from './campaign-kinds';

/** Checked households of one 属性 with one verdict, and their persons: a row of the grouped count. */
export interface VerdictTally {
  attribute: HouseholdAttribute;
  verdict: Verdict;
  households: number;
  persons: number;
}

export interface Ratio {
  count: number;
  base: number;
  /** count / base, to four decimals (0.0523); null over an empty base. */
  rate: number | null;
  /** 5.23%, as the reports print it. */
  label: string;
}

export interface RateFigures {
  households: Ratio;
  persons: Ratio;
}

/**
 * The rates as the county's report counts them, each over its own base: 错评率 = 错评户 /
 * registered (建档立卡) households checked; 错退率 = 错退户 / exited (已脱贫) households checked;
 * 返贫 over the exited households checked too; 漏评 over the non-registered households checked.
 */
export interface CampaignRates {
  wronglyIncluded: RateFigures;
  wronglyExcluded: RateFigures;
  wronglyExited: RateFigures;
  returnedToPoverty: RateFigures;
}

export interface CheckedCounts {
  checked: { households: number; persons: number };
  byAttribute: Record<HouseholdAttribute, { households: number; persons: number }>;
  byVerdict: Record<Verdict, { households: number; persons: number }>;
}

/** A rate as the reports print it: two decimals and a percent sign (74 / 1,415 → 5.23%). */
export function rateLabel(rate: number | null): string {
  return rate === null ? '—' : `${(Math.round(rate * 10000) / 100).toFixed(2)}%`;
}

export function ratio(count: number, base: number): Ratio {
  const rate = base > 0 ? Math.round((count / base) * 10000) / 10000 : null;
  return { count, base, rate, label: base > 0 ? rateLabel(count / base) : '—' };
}

const BASES: Record<keyof CampaignRates, { verdict: Verdict; attribute: HouseholdAttribute }> = {
  wronglyIncluded: { verdict: 'wrongly_included', attribute: 'registered' },
  wronglyExcluded: { verdict: 'wrongly_excluded', attribute: 'non_registered' },
  wronglyExited: { verdict: 'wrongly_exited', attribute: 'exited' },
  returnedToPoverty: { verdict: 'returned_to_poverty', attribute: 'exited' },
};

export function countsOf(tallies: readonly VerdictTally[]): CheckedCounts {
  const zero = () => ({ households: 0, persons: 0 });
  const out: CheckedCounts = {
    checked: zero(),
    byAttribute: { registered: zero(), exited: zero(), non_registered: zero() },
    byVerdict: { correct: zero(), wrongly_included: zero(), wrongly_excluded: zero(), wrongly_exited: zero(), returned_to_poverty: zero() },
  };
  for (const t of tallies) {
    for (const bucket of [out.checked, out.byAttribute[t.attribute], out.byVerdict[t.verdict]]) {
      bucket.households += t.households;
      bucket.persons += t.persons;
    }
  }
  return out;
}

/**
 * The rates from the grouped tallies. A wrong verdict counts where the report counts it (错评户
 * however its 属性 was recorded), its base is the households of the base 属性 checked.
 */
export function ratesOf(tallies: readonly VerdictTally[]): CampaignRates {
  const counts = countsOf(tallies);
  const figures = (key: keyof CampaignRates): RateFigures => {
    const { verdict, attribute } = BASES[key];
    const wrong = counts.byVerdict[verdict];
    const base = counts.byAttribute[attribute];
    return { households: ratio(wrong.households, base.households), persons: ratio(wrong.persons, base.persons) };
  };
  return {
    wronglyIncluded: figures('wronglyIncluded'),
    wronglyExcluded: figures('wronglyExcluded'),
    wronglyExited: figures('wronglyExited'),
    returnedToPoverty: figures('returnedToPoverty'),
  };
}
