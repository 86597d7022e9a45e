import { AREA_ROLES } from '@app/org';
import type { Scope, ScopedUnit } from '@app/platform';

/**
 * Who may see and change a township's calendar and run its steps. The calendar is the
 * township's: its leaders, the viewers above it and administrators read it; village teams and
 * inspection groups have no business with it. The API and the console both ask these.
 */
export const CALENDAR_READERS = AREA_ROLES.oversight;

export function mayReadCalendar(scope: Scope, township: ScopedUnit): boolean {
  return scope.hasRoleOver(township, ...CALENDAR_READERS);
}

/** Whether the principal may read any township's calendar at all (the console's menu and page). */
export function mayReadAnyCalendar(scope: Scope): boolean {
  return scope.holdsAny(...CALENDAR_READERS);
}

/** Only a leader or an administrator of the township changes its calendar. */
export function mayEditCalendar(scope: Scope, township: ScopedUnit): boolean {
  return scope.hasRoleOver(township, 'leader', 'admin');
}

/** Only a leader or an administrator of the township runs one of its steps by hand. */
export function mayRunSteps(scope: Scope, township: ScopedUnit): boolean {
  return scope.hasRoleOver(township, 'leader', 'admin');
}
