import { CalendarConfig, defaultCalendar, PAIRING_DAYS, validateCalendar } from '@app/cycles';
import { ValidationFailed } from '@app/platform';
import { calendarFormText, calendarFromText, calendarProblems, postedCalendarText } from './calendar-form';
import { DICTIONARIES } from './i18n';

/** The refusal CalendarService.put raises for a calendar, built from the same validation. */
function refusal(c: CalendarConfig): ValidationFailed {
  const problems = validateCalendar(c);
  return new ValidationFailed(
    'Invalid calendar',
    problems.map((p) => ({ field: `config.${p.field}`, messages: [p.message] })),
  );
}

describe('calendar form', () => {
  it('gives back the calendar it was shown with, fixed days and all', () => {
    const stored: CalendarConfig = {
      ...defaultCalendar(),
      fixedDays: [PAIRING_DAYS],
      halfMonthly: { enabled: true, days: [1, 'last'], time: '09:30' },
    };
    const text = calendarFormText(stored);
    const body: Record<string, string> = { 'fixedDays.count': String(text.fixedDays.length), timezone: text.timezone };
    body.nonWorkingDays = text.nonWorkingDays;
    for (const s of text.steps) {
      if (s.enabled) body[`steps.${s.step}.enabled`] = '1';
      body[`steps.${s.step}.day`] = s.day;
      body[`steps.${s.step}.time`] = s.time;
    }
    body['halfMonthly.enabled'] = '1';
    body['halfMonthly.days'] = text.halfMonthly.days;
    body['halfMonthly.time'] = text.halfMonthly.time;
    for (const f of text.fixedDays) {
      for (const k of ['key', 'name', 'days', 'remindDaysBefore', 'time', 'checklist'] as const)
        body[`fixedDays.${f.i}.${k}`] = String(f[k]);
    }
    Object.assign(body, {
      'quarterly.monthOfQuarter': text.quarterly.monthOfQuarter,
      'quarterly.day': text.quarterly.day,
      'quarterly.time': text.quarterly.time,
      'quarterly.title': text.quarterly.title,
      'reminders.daysBeforeDeadline': text.reminders.daysBeforeDeadline,
      'reminders.overdueGraceDays': text.reminders.overdueGraceDays,
    });
    expect(calendarFromText(postedCalendarText(body), stored)).toEqual(stored);
  });

  it('names every problem CalendarService can report in Chinese, beside its input', () => {
    const bad: CalendarConfig = {
      ...defaultCalendar('Mars/Olympus'),
      steps: {
        ...defaultCalendar().steps,
        review: { enabled: true, day: 32, time: '25:00' },
        report: { enabled: true, day: 5, time: '09:00' },
      },
      halfMonthly: { enabled: true, days: [1, 0], time: 'x' },
      fixedDays: [
        { ...PAIRING_DAYS, key: 'Bad Key', remindDaysBefore: 9 },
        { ...PAIRING_DAYS, key: 'pairing', days: [17, 40] },
        { ...PAIRING_DAYS, key: 'pairing' },
      ],
      quarterly: { enabled: true, monthOfQuarter: 4 as 1, day: 'last', time: '9:00', title: '会' },
      reminders: { daysBeforeDeadline: 31, overdueGraceDays: 0 },
    };
    const problems = calendarProblems(refusal(bad), DICTIONARIES.zh, 'zh');
    expect(problems.length).toBeGreaterThan(10);
    for (const p of problems) {
      expect(p.message).not.toMatch(/must|twice/);
      expect(p.label).not.toMatch(/^[a-z.]+$/i);
    }
    expect(problems).toContainEqual({
      input: 'halfMonthly.days',
      label: '「半月一调度」调度日',
      message: '应为 1–31 之间的日期，或“月末”',
    });
    expect(problems).toContainEqual({
      input: 'steps.report.day',
      label: '「月汇报 + 进度清单」日期',
      message: '不能早于「月研判 + 整改清单」（32 日）',
    });
    expect(problems.find((p) => p.input === 'fixedDays.1.days')?.label).toBe('「固定工作日 2」调度日');
  });

  it('refuses what is not a day or a number through the service’s own rules', () => {
    const text = calendarFormText(defaultCalendar());
    text.steps[3].day = 'twenty';
    text.reminders.daysBeforeDeadline = 'three';
    const fields = validateCalendar(calendarFromText(text, defaultCalendar())).map((p) => p.field);
    expect(fields).toEqual(expect.arrayContaining(['steps.report.day', 'reminders.daysBeforeDeadline']));
  });
});
