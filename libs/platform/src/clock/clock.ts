/**
 * The one source of "now". Services ask the injected Clock; tests and the year simulation
 * swap in a FakeClock so that a whole year of cycles runs in seconds.
 */
export abstract class Clock {
  abstract now(): Date;

  nowMs(): number {
    return this.now().getTime();
  }

  /** Today's date (YYYY-MM-DD) in a unit's time zone: "the unit's local today". */
  todayIn(zone: string): string {
    return localDay(this.now(), zone);
  }
}

const dayFormats = new Map<string, Intl.DateTimeFormat>();

/**
 * The calendar day (YYYY-MM-DD) an instant falls on in a time zone. The one definition of a
 * unit's local day; `sqlLocalDay` is its SQL form.
 */
export function localDay(instant: Date, zone: string): string {
  let f = dayFormats.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' });
    dayFormats.set(zone, f);
  }
  return f.format(instant);
}

/**
 * SQL for the local day (a `date`) of an instant in a zone, both SQL expressions: a parameter
 * such as `$1` (cast to timestamptz here) or a column; the zone a column such as `t.unit_tz`.
 */
export function sqlLocalDay(instant: string, zone: string): string {
  const ts = /^\$\d+$/.test(instant) ? `${instant}::timestamptz` : instant;
  return `(${ts} AT TIME ZONE ${zone})::date`;
}

export class SystemClock extends Clock {
  now(): Date {
    // eslint-disable-next-line no-restricted-syntax -- the one place that reads the wall clock
    return new Date();
  }
}

/** A clock that stands still until told to move. */
export class FakeClock extends Clock {
  private current: number;

  constructor(start: Date | string = '2026-01-01T00:00:00Z') {
    super();
    this.current = new Date(start).getTime();
  }

  now(): Date {
    return new Date(this.current);
  }

  set(to: Date | string): void {
    this.current = new Date(to).getTime();
  }

  advance(ms: number): void {
    this.current += ms;
  }
}
