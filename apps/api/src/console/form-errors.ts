import { ValidationFailed } from '@app/platform';
import type { Dictionary, Lang } from './i18n';

/** One refused field of a form, as the page shows it beside its input. */
export interface FieldError {
  field: string;
  label: string;
  message: string;
}

/** Fields the team forms post, by the name the DTOs report. */
type TextKey = { [K in keyof Dictionary]: Dictionary[K] extends string ? K : never }[keyof Dictionary];

const FIELD_LABELS: Record<string, TextKey> = {
  actual: 'actual',
  comment: 'comment',
  reason: 'reason',
  deadline: 'deadline',
  summary: 'summary',
  problems: 'problems',
  unitId: 'team',
  period: 'period',
  evidenceIds: 'evidence',
  file: 'evidence',
};

/**
 * The API's validation messages (class-validator's and the services' own, in English) said in
 * the reader's language. A message without a rule here keeps a plain Chinese sentence rather
 * than English words in a Chinese page.
 */
export function fieldMessage(message: string, lang: Lang): string {
  if (lang === 'en') return message;
  let m: RegExpExecArray | null;
  if (/should not be empty|must not be empty|is required|should not be null/.test(message)) return '必须填写';
  if ((m = /must be shorter than or equal to (\d+) characters/.exec(message))) return `不能超过 ${m[1]} 个字`;
  if ((m = /must be longer than or equal to (\d+) characters/.exec(message))) return m[1] === '1' ? '必须填写' : `至少 ${m[1]} 个字`;
  if ((m = /must not be less than (-?[\d.]+)/.exec(message))) return `不能小于 ${m[1]}`;
  if ((m = /must not be greater than (-?[\d.]+)/.exec(message))) return `不能大于 ${m[1]}`;
  if (/enter how many are done/.test(message)) return '请填写已完成的数量（0 或以上）';
  if (/must be a number|conforming to the specified constraints/.test(message)) return '应为数字';
  if (/must be a date|ISO 8601 date/.test(message)) return '应为日期，如 2026-08-31';
  if (/must be a month/.test(message)) return '应为月份，如 2026-08';
  if (/must be a UUID|must be an id/.test(message)) return '编号无效，请刷新页面后重试';
  if (/choose done, partial or not done/.test(message)) return '请选择“已完成”“部分完成”或“未完成”';
  if (/must be one of the following values/.test(message)) return '请从列表中选择';
  if (/should not exist/.test(message)) return '表单中有多余的内容，请刷新页面后重试';
  return '填写有误，请检查';
}

/** A refused form's problems, field by field, labelled and worded for the reader. */
export function fieldErrors(e: ValidationFailed, t: Dictionary, lang: Lang): FieldError[] {
  const fields = (e.details?.fields ?? []) as Array<{ field: string; messages: string[] }>;
  return fields.flatMap((f) => {
    const root = f.field.replace(/^(checklist|problems)\.(\d+)\..*$/, '$1').replace(/\d+$/, '');
    const key = FIELD_LABELS[root] ?? FIELD_LABELS[f.field];
    const own = (t as unknown as Record<string, unknown>)[root];
    const label = key
      ? t[key]
      : root === 'status' || root === 'note' || root === 'checklist'
        ? t.checklist
        : typeof own === 'string'
          ? own
          : t.form;
    return f.messages.map((message) => ({ field: f.field, label, message: fieldMessage(message, lang) }));
  });
}

/** The errors keyed by field name, for templates that show each beside its input. */
export function errorsByField(errors: FieldError[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of errors) out[e.field] = out[e.field] ? `${out[e.field]}；${e.message}` : e.message;
  return out;
}
