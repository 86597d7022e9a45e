import { CalendarConfig, DayOfMonth, FixedDay, STEP_LABELS, StepName, STEPS } from '@app/cycles';
import { ValidationFailed } from '@app/platform';
import { field, FormBody } from './console-page';
import { Dictionary } from './i18n';

/**
 * The calendar form as text, exactly as shown or as posted, so a refused form comes back with what
 * was typed. Field names are the calendar's own paths (`steps.report.day`), so the problems
 * CalendarService reports land beside the right input.
 */
export interface CalendarFormText {
  timezone: string;
  nonWorkingDays: string;
  steps: Array<{ step: StepName; enabled: boolean; day: string; time: string }>;
  halfMonthly: { enabled: boolean; days: string; time: string };
  fixedDays: Array<{
    i: number;
    key: string;
    name: string;
    days: string;
    remindDaysBefore: string;
    time: string;
    checklist: string;
    isNew: boolean;
  }>;
  quarterly: { enabled: boolean; monthOfQuarter: string; day: string; time: string; title: string };
  reminders: { daysBeforeDeadline: string; overdueGraceDays: string };
}

/** The words the form takes for the month's last day: the reader's (月末) and the stored one. */
const LAST_DAY_WORDS = new Set(['last', '月末', 'last day']);

const dayText = (d: DayOfMonth, lastDay: string) => (d === 'last' ? lastDay : String(d));
const daysText = (ds: DayOfMonth[], lastDay: string) => ds.map((d) => dayText(d, lastDay)).join(', ');

function blankFixedDay(i: number): CalendarFormText['fixedDays'][number] {
  return { i, key: '', name: '', days: '', remindDaysBefore: '1', time: '09:00', checklist: '', isNew: true };
}

/**
 * The form for a stored calendar, with one empty row to add a fixed day; the month's last day is
 * written in the reader's word (`lastDay`: 月末 in Chinese).
 */
export function calendarFormText(c: CalendarConfig, lastDay = '月末'): CalendarFormText {
  return {
    timezone: c.timezone,
    nonWorkingDays: c.nonWorkingDays,
    steps: STEPS.map((step) => ({
      step,
      enabled: c.steps[step].enabled,
      day: dayText(c.steps[step].day, lastDay),
      time: c.steps[step].time,
    })),
    halfMonthly: { enabled: c.halfMonthly.enabled, days: daysText(c.halfMonthly.days, lastDay), time: c.halfMonthly.time },
    fixedDays: [
      ...c.fixedDays.map((f, i) => ({
        i,
        key: f.key,
        name: f.name,
        days: daysText(f.days, lastDay),
        remindDaysBefore: String(f.remindDaysBefore),
        time: f.time,
        checklist: f.checklist.join('\n'),
        isNew: false,
      })),
      blankFixedDay(c.fixedDays.length),
    ],
    quarterly: {
      enabled: c.quarterly.enabled,
      monthOfQuarter: String(c.quarterly.monthOfQuarter),
      day: dayText(c.quarterly.day, lastDay),
      time: c.quarterly.time,
      title: c.quarterly.title,
    },
    reminders: {
      daysBeforeDeadline: String(c.reminders.daysBeforeDeadline),
      overdueGraceDays: String(c.reminders.overdueGraceDays),
    },
  };
}

const MAX_FIXED_DAYS = 20;

/** The form as posted; rows marked for removal are left out. */
export function postedCalendarText(body: FormBody): CalendarFormText {
  const on = (name: string) => field(body, name) !== '';
  const count = Math.min(Number(field(body, 'fixedDays.count')) || 0, MAX_FIXED_DAYS);
  const fixedDays: CalendarFormText['fixedDays'] = [];
  for (let i = 0; i < count; i++) {
    const p = `fixedDays.${i}`;
    const row = {
      i: fixedDays.length,
      key: field(body, `${p}.key`),
      name: field(body, `${p}.name`),
      days: field(body, `${p}.days`),
      remindDaysBefore: field(body, `${p}.remindDaysBefore`),
      time: field(body, `${p}.time`),
      checklist: typeof body[`${p}.checklist`] === 'string' ? (body[`${p}.checklist`] as string) : '',
      isNew: !field(body, `${p}.key`),
    };
    if (on(`${p}.remove`) || (row.isNew && !row.name && !row.days)) continue;
    fixedDays.push(row);
  }
  return {
    timezone: field(body, 'timezone'),
    nonWorkingDays: field(body, 'nonWorkingDays'),
    steps: STEPS.map((step) => ({
      step,
      enabled: on(`steps.${step}.enabled`),
      day: field(body, `steps.${step}.day`),
      time: field(body, `steps.${step}.time`),
    })),
    halfMonthly: { enabled: on('halfMonthly.enabled'), days: field(body, 'halfMonthly.days'), time: field(body, 'halfMonthly.time') },
    fixedDays,
    quarterly: {
      enabled: on('quarterly.enabled'),
      monthOfQuarter: field(body, 'quarterly.monthOfQuarter'),
      day: field(body, 'quarterly.day'),
      time: field(body, 'quarterly.time'),
      title: field(body, 'quarterly.title'),
    },
    reminders: {
      daysBeforeDeadline: field(body, 'reminders.daysBeforeDeadline'),
      overdueGraceDays: field(body, 'reminders.overdueGraceDays'),
    },
  };
}

/** With a refused form, the rows to show again: the posted ones and a fresh empty one. */
export function withBlankRow(text: CalendarFormText): CalendarFormText {
  return { ...text, fixedDays: [...text.fixedDays, blankFixedDay(text.fixedDays.length)] };
}

/**
 * Text to calendar values. Anything that is not a day or a number becomes NaN, which
 * CalendarService refuses field by field: it alone decides what a valid calendar is.
 */
function parseDay(text: string): DayOfMonth {
  if (LAST_DAY_WORDS.has(text.toLowerCase())) return 'last';
  return /^\d{1,2}$/.test(text) ? Number(text) : NaN;
}

function parseDays(text: string): DayOfMonth[] {
  return text
    .split(/[,，、\s]+/)
    .filter(Boolean)
    .map(parseDay);
}

const parseInteger = (text: string) => (/^-?\d{1,4}$/.test(text) ? Number(text) : NaN);

/** A key for a new fixed day, unique in the calendar (keys name the scheduled occurrences). */
function newKey(taken: Set<string>): string {
  let n = 1;
  while (taken.has(`fixed_day_${n}`)) n++;
  return `fixed_day_${n}`;
}

export function calendarFromText(text: CalendarFormText, base: CalendarConfig): CalendarConfig {
  const steps = { ...base.steps };
  for (const s of text.steps) steps[s.step] = { enabled: s.enabled, day: parseDay(s.day), time: s.time };
  const taken = new Set(text.fixedDays.map((f) => f.key).filter(Boolean));
  const fixedDays: FixedDay[] = text.fixedDays.map((f) => {
    const key = f.key || newKey(taken);
    taken.add(key);
    return {
      key,
      name: f.name,
      days: parseDays(f.days),
      remindDaysBefore: parseInteger(f.remindDaysBefore),
      time: f.time,
      checklist: f.checklist
        .split(/\r?\n/)
        .map((l) => l.trim())
        .filter(Boolean),
    };
  });
  const rule = text.nonWorkingDays;
  return {
    ...base,
    timezone: text.timezone,
    nonWorkingDays: rule === 'keep' || rule === 'before' || rule === 'after' ? rule : base.nonWorkingDays,
    steps,
    halfMonthly: { enabled: text.halfMonthly.enabled, days: parseDays(text.halfMonthly.days), time: text.halfMonthly.time },
    fixedDays,
    quarterly: {
      enabled: text.quarterly.enabled,
      monthOfQuarter: parseInteger(text.quarterly.monthOfQuarter) as 1 | 2 | 3,
      day: parseDay(text.quarterly.day),
      time: text.quarterly.time,
      title: text.quarterly.title,
    },
    reminders: {
      daysBeforeDeadline: parseInteger(text.reminders.daysBeforeDeadline),
      overdueGraceDays: parseInteger(text.reminders.overdueGraceDays),
    },
  };
}

/** The expected version of a post: the one the form was shown with. */
export function versionOf(body: FormBody): number {
  const text = field(body, 'version');
  if (!/^\d{1,9}$/.test(text)) throw ValidationFailed.field('version', 'must be the version the form was shown with');
  return Number(text);
}

export interface CalendarProblemView {
  /** The input it belongs to (a list of days for one of its days). */
  input: string;
  label: string;
  message: string;
}

/** The name of a calendar field for people, e.g. 「月汇报 + 进度清单」日期. */
function fieldLabel(path: string, t: Dictionary, lang: 'zh' | 'en'): string {
  const parts = path.split('.');
  const leaf: Record<string, string> = {
    day: t.stepDay,
    days: t.scheduleDays,
    time: t.stepTime,
    key: lang === 'zh' ? '标识' : 'key',
    remindDaysBefore: t.remindDaysBefore,
    monthOfQuarter: t.monthOfQuarter,
    daysBeforeDeadline: t.daysBeforeDeadline,
    overdueGraceDays: t.overdueGraceDays,
    timezone: t.timezone,
  };
  const last = parts[parts.length - 1];
  const what = leaf[last] ?? last;
  const of = (group: string) => (lang === 'zh' ? `「${group}」${what}` : `${group}: ${what}`);
  if (parts[0] === 'steps') return of(STEP_LABELS[parts[1] as StepName]?.[lang] ?? parts[1]);
  if (parts[0] === 'halfMonthly') return of(t.halfMonthly);
  if (parts[0] === 'fixedDays') return of(`${t.fixedDay} ${Number(parts[1]) + 1}`);
  if (parts[0] === 'quarterly') return of(t.quarterly);
  if (parts[0] === 'reminders') return of(t.reminders);
  return what;
}

/** CalendarService's messages are English; the console says them in the reader's language. */
function translate(message: string, lang: 'zh' | 'en'): string {
  if (lang === 'en') return message;
  let m: RegExpExecArray | null;
  if (message.startsWith('must be a day of the month')) return '应为 1–31 之间的日期，或“月末”';
  if (message.startsWith('must be a time HH:mm')) return '应为“时:分”格式的时间，如 08:00';
  if (message.startsWith('must be an IANA time zone')) return '应为时区名称，如 Asia/Shanghai';
  if (message.startsWith('must be lower-case letters')) return '只能用小写字母、数字或下划线';
  if ((m = /^must not come before (\w+) \(day (\w+)\)$/.exec(message))) {
    return `不能早于「${STEP_LABELS[m[1] as StepName]?.zh ?? m[1]}」（${m[2]} 日）`;
  }
  if ((m = /^must not come before (\w+) \(the last day\)$/.exec(message))) {
    return `不能早于「${STEP_LABELS[m[1] as StepName]?.zh ?? m[1]}」（月末）`;
  }
  if ((m = /^(\S+) is used twice$/.exec(message))) return `标识 ${m[1]} 重复`;
  if ((m = /^must be (\d+) to (\d+)$/.exec(message))) return `应为 ${m[1]}–${m[2]} 之间的整数`;
  if (message === 'must be 1, 2 or 3') return '应为 1、2 或 3';
  return message;
}

/** The problems of a refused calendar, each named and attached to its input. */
export function calendarProblems(error: ValidationFailed, t: Dictionary, lang: 'zh' | 'en'): CalendarProblemView[] {
  const fields = (error.details?.fields ?? []) as Array<{ field: string; messages: string[] }>;
  return fields.flatMap((f) => {
    const path = f.field.replace(/^config\./, '');
    const input = path.replace(/(\.days)\.\d+$/, '$1');
    return f.messages.map((message) => ({ input, label: fieldLabel(input, t, lang), message: translate(message, lang) }));
  });
}
