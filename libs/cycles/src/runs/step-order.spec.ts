import { defaultCalendar } from '../calendar/calendar-config';
import type { TownshipCalendar } from '../calendar/calendar.service';
import { WorkingDays } from '../calendar/working-days';
import { beforeCalendar, earlierSteps, runsFirst, stepOfKey } from './step-order';

const wd = WorkingDays.load('/nonexistent');
const township = (startsAt: string, patch: Partial<TownshipCalendar['config']> = {}): TownshipCalendar => ({
  unitId: 'u',
  unitName: '中厂镇',
  unitPath: 'u',
  config: { ...defaultCalendar('Asia/Shanghai'), ...patch },
  startsAt: new Date(startsAt),
  version: 1,
  stored: true,
});
const keys = (refs: Array<{ period: string; key: string }>) => refs.map((r) => `${r.period} ${r.key}`);

describe('the order of a month’s steps', () => {
  const cal = township('2026-06-20T00:00:00Z');

  it('asks for every earlier enabled step of the same month, in step order', () => {
    expect(earlierSteps(cal, '2026-07', 'dispatch', wd)).toEqual([]);
    expect(earlierSteps(cal, '2026-07', 'review', wd)).toEqual(['dispatch', 'self_check']);
    expect(earlierSteps(cal, '2026-07', 'supervision', wd)).toEqual(['dispatch', 'self_check', 'review', 'report']);
    const noSelfCheck = township('2026-06-20T00:00:00Z', {
      steps: { ...cal.config.steps, self_check: { ...cal.config.steps.self_check, enabled: false } },
    });
    expect(earlierSteps(noSelfCheck, '2026-07', 'review', wd)).toEqual(['dispatch']);
  });

  it('does not ask for steps that were due before the calendar began', () => {
    // The calendar began on 20 June: June's dispatch, self-check and review were skipped, not missed.
    expect(earlierSteps(cal, '2026-06', 'supervision', wd)).toEqual(['report']);
    expect(earlierSteps(cal, '2026-06', 'report', wd)).toEqual([]);
    expect(earlierSteps(cal, '2026-01', 'supervision', wd)).toEqual([]);
    expect(beforeCalendar(cal, new Date('2026-06-15T01:00:00Z'))).toBe(true);
    expect(beforeCalendar(cal, new Date('2026-06-25T01:00:00Z'))).toBe(false);
    expect(beforeCalendar(cal, null)).toBe(false);
  });

  it('runs a catch-up oldest month first, and a month’s steps in their order', () => {
    const since = township('2026-09-30T16:00:00Z'); // 1 October in Shanghai
    const now = new Date('2026-12-02T02:00:00Z');
    // November's supervision after a worker was down since September: October's five steps, then November's first four.
    expect(keys(runsFirst(since, { period: '2026-11', key: 'step:supervision' }, now, new Set(), wd, 2))).toEqual([
      '2026-10 step:dispatch',
      '2026-10 step:self_check',
      '2026-10 step:review',
      '2026-10 step:report',
      '2026-10 step:supervision',
      '2026-11 step:dispatch',
      '2026-11 step:self_check',
      '2026-11 step:review',
      '2026-11 step:report',
    ]);
    const done = new Set([
      '2026-10|step:dispatch',
      '2026-10|step:self_check',
      '2026-10|step:review',
      '2026-10|step:report',
      '2026-10|step:supervision',
      '2026-11|step:dispatch',
    ]);
    expect(keys(runsFirst(since, { period: '2026-11', key: 'step:review' }, now, done, wd, 2))).toEqual(['2026-11 step:self_check']);
    // Nothing before the calendar began, nor before the catch-up window, nor for a calendar event.
    expect(runsFirst(since, { period: '2026-10', key: 'step:dispatch' }, now, new Set(), wd, 2)).toEqual([]);
    expect(runsFirst(township('2020-01-01T00:00:00Z'), { period: '2026-10', key: 'step:dispatch' }, now, new Set(), wd, 0)).toEqual([]);
    expect(runsFirst(since, { period: '2026-11', key: 'event:quarterly' }, now, new Set(), wd, 2)).toEqual([]);
  });

  it('reads the step of a run key', () => {
    expect(stepOfKey('step:review')).toBe('review');
    expect(stepOfKey('step:audit')).toBeUndefined();
    expect(stepOfKey('event:pairing_day:17')).toBeUndefined();
  });
});
