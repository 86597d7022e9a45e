import { CalendarView, STEP_LABELS, StepName, STEPS, StepView } from '@app/cycles';
import { Dictionary, fill } from './i18n';

/** A cycle step as the dashboard's card shows it: its label, and the earlier steps it waits for. */
export function stepCards(steps: StepView[], t: Dictionary): Array<StepView & { waitingNote: string }> {
  const lang = t.htmlLang === 'en' ? 'en' : 'zh';
  return steps.map((s) => {
    const waiting = s.waitingFor.map((w) => STEP_LABELS[w][lang]).join(lang === 'en' ? ', ' : '、');
    return { ...s, label: STEP_LABELS[s.step][lang], waitingNote: waiting ? fill(t.stepWaitingFor, { steps: waiting }) : '' };
  });
}

/** What the calendar page lists as coming: each step or event with its label and the day it moved off. */
export function upcomingRows(view: CalendarView, lang: 'zh' | 'en') {
  const fixedKeys = new Set(view.config.fixedDays.map((f) => f.key));
  return view.upcoming.map((o) => {
    const fixed = fixedKeys.has(o.key.split(':')[1]);
    return {
      dueAt: o.dueAt,
      label: o.key.startsWith('step:') ? (STEP_LABELS[o.key.slice(5) as StepName]?.[lang] ?? o.title) : o.title,
      // A fixed day's reminder goes out ahead of the day itself, which is not a move off a holiday.
      forDay: fixed ? o.nominalDay : undefined,
      holiday: fixed ? undefined : o.holiday,
    };
  });
}

/**
 * What a refused cycle step says on a page, from its 409's details: the earlier steps it waits
 * for (`missing`), or the month that has not begun (`period`, `current`).
 */
export function stepRefusal(details: Record<string, unknown> | undefined, t: Dictionary): string | undefined {
  const lang = t.htmlLang === 'en' ? 'en' : 'zh';
  const missing = Array.isArray(details?.missing)
    ? details.missing.filter((s): s is StepName => (STEPS as readonly unknown[]).includes(s))
    : [];
  if (missing.length) return fill(t.stepWaitingFor, { steps: missing.map((s) => STEP_LABELS[s][lang]).join(lang === 'en' ? ', ' : '、') });
  if (typeof details?.period === 'string' && typeof details?.current === 'string')
    return fill(t.periodNotBegun, { period: details.period, current: details.current });
  return undefined;
}
