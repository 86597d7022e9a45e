import { IANAZone } from 'luxon';

/** The five monthly steps of "五招 + 五单", in the order they run. */
export const STEPS = ['dispatch', 'self_check', 'review', 'report', 'supervision'] as const;
export type StepName = (typeof STEPS)[number];

export const STEP_LABELS: Record<StepName, { zh: string; en: string }> = {
  dispatch: { zh: '月交办 + 任务清单', en: 'Dispatch and task list' },
  self_check: { zh: '月自查 + 问题清单', en: 'Self-check and problem list' },
  review: { zh: '月研判 + 整改清单', en: 'Review and rectification list' },
  report: { zh: '月汇报 + 进度清单', en: 'Report and progress list' },
  supervision: { zh: '月督导 + 考评清单', en: 'Supervision and evaluation list' },
};

/** A day of the month; `last` (or a day past the month's end) means the month's last day. */
export type DayOfMonth = number | 'last';

export interface StepSchedule {
  enabled: boolean;
  day: DayOfMonth;
  /** Local time `HH:mm`. */
  time: string;
}

/** How a date that falls on a weekend or public holiday moves. */
export type NonWorkingDayRule = 'keep' | 'before' | 'after';

/** A recurring day such as the 结对帮扶日 on the 17th and 27th, announced the day before. */
export interface FixedDay {
  key: string;
  name: string;
  days: DayOfMonth[];
  remindDaysBefore: number;
  time: string;
  checklist: string[];
}

/**
 * A township's calendar (工作日历): when each step runs, in which time zone, and the other
 * rhythms of the seeds (半月一调度, fixed pairing days, the quarterly meeting). Configuration,
 * not code.
 */
export interface CalendarConfig {
  timezone: string;
  steps: Record<StepName, StepSchedule>;
  nonWorkingDays: NonWorkingDayRule;
  halfMonthly: { enabled: boolean; days: DayOfMonth[]; time: string };
  fixedDays: FixedDay[];
  quarterly: { enabled: boolean; monthOfQuarter: 1 | 2 | 3; day: DayOfMonth; time: string; title: string };
  reminders: { daysBeforeDeadline: number; overdueGraceDays: number };
}

/** The seed town's rhythm (中厂镇): dispatch on the 1st, self-check by the 10th, review on the 15th, report on the 25th, supervision at month end. */
export function defaultCalendar(timezone = 'Asia/Shanghai'): CalendarConfig {
  return {
    timezone,
    steps: {
      dispatch: { enabled: true, day: 1, time: '08:00' },
      self_check: { enabled: true, day: 10, time: '18:00' },
      review: { enabled: true, day: 15, time: '09:00' },
      report: { enabled: true, day: 25, time: '09:00' },
      supervision: { enabled: true, day: 'last', time: '16:00' },
    },
    nonWorkingDays: 'before',
    halfMonthly: { enabled: false, days: [1, 16], time: '09:00' },
    fixedDays: [],
    quarterly: { enabled: false, monthOfQuarter: 1, day: 10, time: '09:00', title: '季度脱贫攻坚推进会' },
    reminders: { daysBeforeDeadline: 3, overdueGraceDays: 15 },
  };
}

/** The pairing days of seed 003 (大悟县: 每月17日、27日结对帮扶日), for calendars that want them. */
export const PAIRING_DAYS: FixedDay = {
  key: 'pairing_day',
  name: '结对帮扶日',
  days: [17, 27],
  remindDaysBefore: 1,
  time: '09:00',
  checklist: ['入户宣传扶贫政策', '对照政策落实清单逐项核实', '填写《扶贫手册》'],
};

const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;

export interface CalendarProblem {
  field: string;
  message: string;
}

function checkDay(field: string, day: unknown, problems: CalendarProblem[]): void {
  if (day === 'last') return;
  if (typeof day !== 'number' || !Number.isInteger(day) || day < 1 || day > 31) {
    problems.push({ field, message: 'must be a day of the month from 1 to 31, or "last"' });
  }
}

function checkTime(field: string, time: unknown, problems: CalendarProblem[]): void {
  if (typeof time !== 'string' || !TIME.test(time)) problems.push({ field, message: 'must be a time HH:mm such as 08:00' });
}

const nominal = (day: DayOfMonth) => (day === 'last' ? 31 : day);

/** Every problem with a calendar, field by field; empty when it is valid. */
export function validateCalendar(c: CalendarConfig): CalendarProblem[] {
  const problems: CalendarProblem[] = [];
  if (!IANAZone.isValidZone(c.timezone)) problems.push({ field: 'timezone', message: 'must be an IANA time zone such as Asia/Shanghai' });
  for (const step of STEPS) {
    const s = c.steps[step];
    checkDay(`steps.${step}.day`, s.day, problems);
    checkTime(`steps.${step}.time`, s.time, problems);
  }
  const enabled = STEPS.filter((s) => c.steps[s].enabled);
  for (let i = 1; i < enabled.length; i++) {
    const prev = c.steps[enabled[i - 1]];
    const cur = c.steps[enabled[i]];
    if (typeof prev.day !== 'string' && typeof cur.day !== 'string' && nominal(cur.day) < nominal(prev.day)) {
      problems.push({ field: `steps.${enabled[i]}.day`, message: `must not come before ${enabled[i - 1]} (day ${prev.day})` });
    } else if (prev.day === 'last' && cur.day !== 'last') {
      problems.push({ field: `steps.${enabled[i]}.day`, message: `must not come before ${enabled[i - 1]} (the last day)` });
    }
  }
  c.halfMonthly.days.forEach((d, i) => checkDay(`halfMonthly.days.${i}`, d, problems));
  checkTime('halfMonthly.time', c.halfMonthly.time, problems);
  const keys = new Set<string>();
  c.fixedDays.forEach((f, i) => {
    if (!/^[a-z][a-z0-9_]{0,39}$/.test(f.key))
      problems.push({ field: `fixedDays.${i}.key`, message: 'must be lower-case letters, digits or _' });
    if (keys.has(f.key)) problems.push({ field: `fixedDays.${i}.key`, message: `${f.key} is used twice` });
    keys.add(f.key);
    f.days.forEach((d, j) => checkDay(`fixedDays.${i}.days.${j}`, d, problems));
    checkTime(`fixedDays.${i}.time`, f.time, problems);
    if (!Number.isInteger(f.remindDaysBefore) || f.remindDaysBefore < 0 || f.remindDaysBefore > 7) {
      problems.push({ field: `fixedDays.${i}.remindDaysBefore`, message: 'must be 0 to 7' });
    }
  });
  checkDay('quarterly.day', c.quarterly.day, problems);
  checkTime('quarterly.time', c.quarterly.time, problems);
  if (![1, 2, 3].includes(c.quarterly.monthOfQuarter)) problems.push({ field: 'quarterly.monthOfQuarter', message: 'must be 1, 2 or 3' });
  const r = c.reminders;
  if (!Number.isInteger(r.daysBeforeDeadline) || r.daysBeforeDeadline < 0 || r.daysBeforeDeadline > 30) {
    problems.push({ field: 'reminders.daysBeforeDeadline', message: 'must be 0 to 30' });
  }
  if (!Number.isInteger(r.overdueGraceDays) || r.overdueGraceDays < 1 || r.overdueGraceDays > 365) {
    problems.push({ field: 'reminders.overdueGraceDays', message: 'must be 1 to 365' });
  }
  return problems;
}
