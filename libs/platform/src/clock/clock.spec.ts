import { FakeClock, localDay, sqlLocalDay } from './clock';

describe("a unit's local today", () => {
  it.each([
    ['2026-07-31T15:59:59Z', 'Asia/Shanghai', '2026-07-31'],
    ['2026-07-31T16:00:00Z', 'Asia/Shanghai', '2026-08-01'],
    ['2026-07-31T16:00:00Z', 'UTC', '2026-07-31'],
    ['2026-01-01T04:59:59Z', 'America/New_York', '2025-12-31'],
    ['2026-12-31T18:30:00Z', 'Asia/Urumqi', '2027-01-01'],
  ])('%s in %s is %s', (instant, zone, day) => {
    expect(localDay(new Date(instant), zone)).toBe(day);
    expect(new FakeClock(instant).todayIn(zone)).toBe(day);
  });

  it('has one SQL form, for a parameter or a column', () => {
    expect(sqlLocalDay('$1', 't.unit_tz')).toBe('($1::timestamptz AT TIME ZONE t.unit_tz)::date');
    expect(sqlLocalDay('t.created_at', 't.unit_tz')).toBe('(t.created_at AT TIME ZONE t.unit_tz)::date');
  });
});
