import { Injectable } from '@nestjs/common';
import { isPeriod, periodAt } from '@app/cycles';
import { AppConfig, Clock, Principal, ValidationFailed } from '@app/platform';
import type { TicketView } from '@app/tickets';
import { DateTime } from 'luxon';
import { Dictionary, fill, LANG_COOKIE, langOf } from './i18n';
import { ConsoleReply, ConsoleRequest, frameOf } from './session';
import { ConsoleViews } from './views';
import { createValidationPipe } from '../common/validation';

export type FormBody = Record<string, string | string[] | undefined>;

const formPipe = createValidationPipe();

/**
 * A form's values checked with the API's own DTO for the same write: the console refuses what the
 * API refuses (an id that is not one, an empty name, a text too long), with the same messages,
 * before anything is written.
 */
export async function checkedForm<T extends object>(dto: new () => T, values: T): Promise<T> {
  return (await formPipe.transform(values, { type: 'body', metatype: dto })) as T;
}

export function formOf(req: ConsoleRequest): FormBody {
  return (req.body && typeof req.body === 'object' ? req.body : {}) as FormBody;
}

/** One trimmed value of a form field ('' when absent). */
export function field(body: FormBody, name: string): string {
  const v = body[name];
  return (Array.isArray(v) ? (v[0] ?? '') : (v ?? '')).trim();
}

/** Every non-empty value of a repeated form field. */
export function fields(body: FormBody, name: string): string[] {
  const v = body[name];
  return (Array.isArray(v) ? v : v === undefined ? [] : [v]).map((s) => s.trim()).filter(Boolean);
}

export function numberField(body: FormBody, name: string): number | undefined {
  const text = field(body, name);
  if (!text) return undefined;
  const n = Number(text);
  if (!Number.isFinite(n)) throw ValidationFailed.field(name, 'must be a number');
  return n;
}

export function dateField(body: FormBody, name: string, required = true): string | undefined {
  const text = field(body, name);
  if (!text && !required) return undefined;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text) || !DateTime.fromISO(text).isValid) throw ValidationFailed.field(name, 'must be a date YYYY-MM-DD');
  return text;
}

/** The page asked for in a list's query string: a whole number from 1 to 1000, 1 when missing or not a number. */
export function pageOf(text?: string): number {
  return Math.max(1, Math.min(1000, Math.trunc(Number(text)) || 1));
}

/** The previous and next page links of a list, when there are such pages. */
export function pager(page: number, pageSize: number, total: number): { prev?: number; next?: number } {
  return { prev: page > 1 ? page - 1 : undefined, next: page * pageSize < total ? page + 1 : undefined };
}

/** Units where the principal holds one of `roles`, in the order of the memberships. */
export function unitsWithRole(principal: Principal, ...roles: string[]): string[] {
  return [...new Set(principal.scope.grants.filter((g) => roles.includes(g.role) && g.unitId).map((g) => g.unitId as string))];
}

/** Renders console pages into the layout. */
@Injectable()
export class ConsolePages {
  constructor(
    private readonly views: ConsoleViews,
    private readonly clock: Clock,
    private readonly config: AppConfig,
  ) {}

  /** This month where the console's users live (the default zone of new units). */
  period(): string {
    return periodAt(this.clock.now(), this.config.TZ_DEFAULT);
  }

  /** A month from a form or query: this month when empty. */
  periodOf(text?: string): string {
    if (text === undefined || text === '') return this.period();
    if (!isPeriod(text)) throw ValidationFailed.field('period', 'must be a month YYYY-MM');
    return text;
  }

  /** Days left, due today or days late (in the owner unit's time zone), in the reader's language. */
  withDue<T extends TicketView>(req: ConsoleRequest, items: T[]): Array<T & { due: string }> {
    const t = this.t(req);
    return items.map((i) => {
      let due = t.noDeadline;
      if (i.status === 'closed' || i.status === 'cancelled') due = '';
      else if (i.overdue) due = fill(t.daysLate, { n: i.daysOverdue });
      else if (i.daysLeft !== null) due = i.daysLeft <= 0 ? t.dueToday : fill(t.daysLeft, { n: i.daysLeft });
      return { ...i, due };
    });
  }

  /** The reader's dictionary (the language cookie alone; a page's frame is built once, by `show`). */
  t(req: ConsoleRequest): Dictionary {
    return this.views.dictionary(langOf(req.cookies?.[LANG_COOKIE]));
  }

  show(req: ConsoleRequest, reply: ConsoleReply, view: string, data: Record<string, unknown> & { title: string }, status = 200): void {
    const frame = frameOf(req, reply);
    this.views.send(reply, this.views.render(view, frame, data), status);
  }

  /** After a successful form post: see the result with a GET (post/redirect/get). */
  redirect(reply: ConsoleReply, url: string): void {
    reply.redirect(url, 303);
  }
}
