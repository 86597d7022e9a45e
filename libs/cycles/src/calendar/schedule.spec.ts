import fc from 'fast-check';
import { CalendarConfig, defaultCalendar, PAIRING_DAYS, STEPS, validateCalendar } from './calendar-config';
import { periodAt, periodBounds, periodsBetween, shiftPeriod } from './period';
import { dueOccurrences, moveToWorkingDay, occurrences, resolveDay, stepDue } from './schedule';
import { estimateDaysOff, WorkingDays } from './working-days';

const wd = WorkingDays.load('/nonexistent');
const cal = (patch: Partial<CalendarConfig> = {}): CalendarConfig => ({ ...defaultCalendar(), ...patch });

describe('periods', () => {
  it('puts an instant in the month of the township, not of the server', () => {
    const instant = new Date('2026-03-31T17:00:00Z'); // 2026-04-01 01:00 in Shanghai
    expect(periodAt(instant, 'Asia/Shanghai')).toBe('2026-04');
    expect(periodAt(instant, 'UTC')).toBe('2026-03');
    expect(periodBounds('2026-02', 'Asia/Shanghai')).toEqual({
      start: new Date('2026-01-31T16:00:00Z'),
      end: new Date('2026-02-28T16:00:00Z'),
    });
  });

  it('steps across years', () => {
    expect(shiftPeriod('2026-12', 1)).toBe('2027-01');
    expect(shiftPeriod('2026-01', -1)).toBe('2025-12');
    expect(periodsBetween('2025-11', '2026-02')).toEqual(['2025-11', '2025-12', '2026-01', '2026-02']);
  });
});

describe('working days', () => {
  it.each([
    ['2026-02-28', true, 'a Saturday made a working day (调休)'],
    ['2026-02-17', false, 'Spring Festival'],
    ['2026-10-06', false, 'National Day holiday'],
    ['2026-10-10', true, 'a Saturday made a working day'],
    ['2026-03-01', false, 'a Sunday'],
    ['2026-03-02', true, 'a Monday'],
  ])('%s working: %s (%s)', (day, working) => expect(wd.isWorkingDay(day)).toBe(working));

  it('takes corrections from config/holidays.yaml', () => {
    const corrected = new WorkingDays({ holidays: {}, workdays: {}, inLieuDays: {} }, [
      { day: '2027-01-01', working: false, name: '元旦' },
      { day: '2027-02-06', working: true },
    ]);
    expect(corrected.isWorkingDay('2027-01-01')).toBe(false);
    expect(corrected.holidayName('2027-01-01')).toBe('元旦');
    expect(corrected.isWorkingDay('2027-02-06')).toBe(true); // a Saturday
  });
});

describe('holidays of a year not yet announced (2027)', () => {
  it('knows that the package stops before 2027, and estimates its statutory holidays', () => {
    expect(wd.hasOfficialSchedule(2026)).toBe(true);
    expect(wd.hasOfficialSchedule(2027)).toBe(false);
    const days = estimateDaysOff(2027);
    expect(days.get('2027-01-01')).toBe('元旦');
    // 春节 2027 falls on 6 February: 除夕 the 5th, back to work on the 13th.
    expect(days.get('2027-02-05')).toBe('春节');
    expect(days.get('2027-02-12')).toBe('春节');
    expect(days.has('2027-02-13')).toBe(false);
    expect(days.get('2027-04-05')).toBe('清明');
    expect([...days].filter(([, n]) => n === '劳动节').map(([d]) => d)).toEqual([
      '2027-05-01',
      '2027-05-02',
      '2027-05-03',
      '2027-05-04',
      '2027-05-05',
    ]);
    expect(days.get('2027-06-09')).toBe('端午');
    expect(days.get('2027-09-15')).toBe('中秋');
    expect([...days].filter(([, n]) => n === '国庆').length).toBe(7);
  });

  it.each([
    ['2027-01-01', false],
    ['2027-01-04', true],
    ['2027-02-08', false],
    ['2027-05-03', false],
    ['2027-10-04', false],
    ['2027-10-08', true],
  ])('%s working: %s', (day, working) => expect(wd.isWorkingDay(day)).toBe(working));

  it("puts January 2027's dispatch on 4 January, not New Year's Day", () => {
    expect(stepDue(cal(), '2027-01', 'dispatch', wd).dueAt.toISOString()).toBe('2027-01-04T00:00:00.000Z');
    expect(wd.holidayName('2027-01-01')).toBe('元旦');
  });

  it("keeps October 2027's dispatch out of the National Day week", () => {
    const due = stepDue(cal(), '2027-10', 'dispatch', wd);
    expect(due.day >= '2027-10-01' && due.day <= '2027-10-07').toBe(false);
    expect(due.day).toBe('2027-10-08');
  });

  it('takes the official schedule from holidays.yaml once it is there, over the estimate', () => {
    const announced = new WorkingDays({ holidays: {}, workdays: {}, inLieuDays: {} }, [
      { day: '2027-01-01', working: false, name: '元旦' },
      { day: '2027-10-09', working: true, name: '国庆调休' },
    ]);
    expect(announced.hasOfficialSchedule(2027)).toBe(true);
    expect(announced.isWorkingDay('2027-10-04')).toBe(true);
  });
});

describe('when steps are due (Asia/Shanghai, moving to the working day before)', () => {
  it.each([
    ['2026-02', 'supervision', '2026-02-28T08:00:00Z', 'the last day is a make-up Saturday: it stays'],
    ['2026-10', 'dispatch', '2026-10-08T00:00:00Z', 'National Day: nothing earlier in the month, so the first working day after'],
    ['2026-05', 'dispatch', '2026-05-06T00:00:00Z', 'Labour Day holiday'],
    ['2026-01', 'dispatch', '2026-01-04T00:00:00Z', 'New Year, then a make-up Sunday'],
    ['2026-01', 'report', '2026-01-23T01:00:00Z', 'the 25th is a Sunday: the Friday before'],
    ['2026-04', 'supervision', '2026-04-30T08:00:00Z', 'the last day of a 30-day month'],
    ['2026-03', 'supervision', '2026-03-31T08:00:00Z', 'the 31st at 16:00 is 08:00 UTC'],
    ['2026-10', 'supervision', '2026-10-30T08:00:00Z', 'the 31st is a Saturday: the Friday before'],
  ] as const)('%s %s → %s (%s)', (period, step, iso, _why) => {
    expect(stepDue(cal(), period, step, wd).dueAt.toISOString()).toBe(new Date(iso).toISOString());
  });

  it('reads day 31 in a short month as its last day', () => {
    expect(resolveDay('2026-02', 31)).toBe(28);
    expect(resolveDay('2028-02', 31)).toBe(29);
    expect(resolveDay('2026-04', 'last')).toBe(30);
  });

  it('moves after when the calendar says so, but never out of the month', () => {
    expect(moveToWorkingDay('2026-01', 25, 'after', wd)).toBe(26);
    expect(moveToWorkingDay('2026-10', 31, 'after', wd)).toBe(30);
    expect(moveToWorkingDay('2026-01', 25, 'keep', wd)).toBe(25);
  });

  it('keeps every step inside its month, in order, for any calendar and month', () => {
    const day = fc.oneof(fc.integer({ min: 1, max: 31 }), fc.constant('last' as const));
    fc.assert(
      fc.property(
        fc.integer({ min: 2024, max: 2026 }),
        fc.integer({ min: 1, max: 12 }),
        fc.uniqueArray(day, { minLength: 5, maxLength: 5, selector: (d) => (d === 'last' ? 32 : d) }),
        fc.constantFrom('keep', 'before', 'after'),
        (year, month, days, rule) => {
          const sorted = [...days].sort((a, b) => (a === 'last' ? 32 : a) - (b === 'last' ? 32 : b));
          const c = cal({ nonWorkingDays: rule });
          STEPS.forEach((s, i) => (c.steps[s] = { enabled: true, day: sorted[i], time: '09:00' }));
          const period = `${year}-${String(month).padStart(2, '0')}`;
          const occ = occurrences(c, period, wd).filter((o) => o.kind === 'step');
          expect(occ).toHaveLength(5);
          for (const o of occ) expect(o.day.startsWith(period)).toBe(true);
          for (const o of occ) if (rule !== 'keep' && o.day !== o.nominalDay) expect(wd.isWorkingDay(o.nominalDay)).toBe(false);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('other rhythms', () => {
  it('announces pairing days the day before, with the checklist', () => {
    const c = cal({ fixedDays: [PAIRING_DAYS] });
    const events = occurrences(c, '2026-03', wd).filter((o) => o.kind === 'event');
    expect(events.map((e) => [e.key, e.day, e.detail?.forDay])).toEqual([
      ['event:pairing_day:17', '2026-03-16', '2026-03-17'],
      ['event:pairing_day:27', '2026-03-26', '2026-03-27'],
    ]);
    expect(events[0].detail?.checklist).toContain('填写《扶贫手册》');
  });

  it('schedules half-monthly meetings and the quarterly meeting in its month', () => {
    const c = cal({
      halfMonthly: { enabled: true, days: [1, 16], time: '09:00' },
      quarterly: { enabled: true, monthOfQuarter: 3, day: 20, time: '09:00', title: '季度推进会' },
    });
    expect(
      occurrences(c, '2026-03', wd)
        .filter((o) => o.kind === 'event')
        .map((o) => o.key),
    ).toEqual(['event:scheduling:1', 'event:scheduling:16', 'event:quarterly']);
    expect(occurrences(c, '2026-04', wd).some((o) => o.key === 'event:quarterly')).toBe(false);
  });
});

describe('what is due', () => {
  it('catches up everything missed since the calendar began, and nothing done', () => {
    const now = new Date('2026-03-02T00:00:00Z'); // 08:00 on Monday 2 March in Shanghai
    const due = dueOccurrences(cal(), now, '2026-02', new Set(['2026-02|step:dispatch']), wd);
    expect(due.map((o) => `${o.period} ${o.key}`)).toEqual([
      '2026-02 step:self_check',
      '2026-02 step:review',
      '2026-02 step:report',
      '2026-02 step:supervision',
      '2026-03 step:dispatch',
    ]);
  });
});

describe('validateCalendar', () => {
  it('accepts the default', () => expect(validateCalendar(defaultCalendar())).toEqual([]));

  it('names each bad field', () => {
    const c = defaultCalendar();
    c.steps.dispatch.day = 0;
    c.steps.review.time = '25:00';
    c.steps.report.day = 12; // before review on the 15th
    c.timezone = 'Nowhere/City';
    expect(validateCalendar(c).map((p) => p.field)).toEqual(['timezone', 'steps.dispatch.day', 'steps.review.time', 'steps.report.day']);
  });
});
