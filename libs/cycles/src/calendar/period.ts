import { localDay } from '@app/platform';
import { DateTime } from 'luxon';

/** A month of the cycle, written `YYYY-MM`. */
export type Period = string;

const PERIOD = /^(\d{4})-(0[1-9]|1[0-2])$/;

export function isPeriod(text: string): text is Period {
  return PERIOD.test(text);
}

export function parsePeriod(period: Period): { year: number; month: number } {
  const m = PERIOD.exec(period);
  if (!m) throw new Error(`not a period: ${period}`);
  return { year: Number(m[1]), month: Number(m[2]) };
}

export function formatPeriod(year: number, month: number): Period {
  return `${year}-${String(month).padStart(2, '0')}`;
}

/** The month an instant falls in, in the given time zone. */
export function periodAt(instant: Date, zone: string): Period {
  return localDay(instant, zone).slice(0, 7);
}

export function shiftPeriod(period: Period, months: number): Period {
  const { year, month } = parsePeriod(period);
  const d = DateTime.utc(year, month, 1).plus({ months });
  return formatPeriod(d.year, d.month);
}

/** Periods from `from` to `to`, both included. */
export function periodsBetween(from: Period, to: Period): Period[] {
  const out: Period[] = [];
  for (let p = from; p <= to; p = shiftPeriod(p, 1)) out.push(p);
  return out;
}

export function daysInPeriod(period: Period): number {
  const { year, month } = parsePeriod(period);
  return DateTime.utc(year, month, 1).daysInMonth!;
}

/** The first and last local days of the period, YYYY-MM-DD. */
export function periodDays(period: Period): { from: string; to: string } {
  return { from: `${period}-01`, to: `${period}-${String(daysInPeriod(period)).padStart(2, '0')}` };
}

/** The first instant of the period in a zone, and the first instant of the next. */
export function periodBounds(period: Period, zone: string): { start: Date; end: Date } {
  const { year, month } = parsePeriod(period);
  const start = DateTime.fromObject({ year, month, day: 1 }, { zone });
  return { start: start.toJSDate(), end: start.plus({ months: 1 }).toJSDate() };
}
