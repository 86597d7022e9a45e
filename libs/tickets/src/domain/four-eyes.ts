/**
 * Where one of the approver's memberships sits relative to a ticket's owner unit:
 * `owner` the owner unit itself, `inside` a unit under it, `above` a unit it lies under,
 * `elsewhere` anywhere else (a sibling office, the inspection group beside it).
 */
export type Seat = 'owner' | 'inside' | 'above' | 'elsewhere';

/** Where a unit with materialised path `seatPath` sits relative to the owner unit at `ownerPath`. */
export function seatOf(seatPath: string, ownerPath: string): Seat {
  if (seatPath === ownerPath) return 'owner';
  if (seatPath.startsWith(ownerPath)) return 'inside';
  if (ownerPath.startsWith(seatPath)) return 'above';
  return 'elsewhere';
}

/** What four eyes (双人核验) needs to know about the approver and the ticket. */
export interface FourEyesFacts {
  /** Where each of the approver's memberships sits, whatever its role. */
  seats: readonly Seat[];
  /** The approver submitted the close-out under review. */
  submitted: boolean;
  /** The approver started the work. */
  started: boolean;
  /** The approver asked for the extension under decision. */
  requested: boolean;
}

export const FOUR_EYES_REASONS = ['owner_unit', 'submitted', 'started', 'requested'] as const;
/** Why four eyes refuse an approver (`details.reason` of the 403). */
export type FourEyesReason = (typeof FOUR_EYES_REASONS)[number];

export interface FourEyesRefusal {
  reason: FourEyesReason;
  message: string;
}

/**
 * Four eyes on what is certified: a close-out (`approve`) or an extension (`approve_extension`)
 * is accepted only by someone who belongs neither to the owner unit nor to a unit inside it and
 * who did not submit the close-out, start the work or ask for the extension. Roles do not enter
 * into it: an administrator or a leader who did the work is refused like anyone. So an office's
 * own tickets are verified by a unit outside the office (the inspection group, or a leader of a
 * unit above it). Null when the approver may approve.
 */
export function fourEyes(facts: FourEyesFacts, action: 'approve' | 'approve_extension'): FourEyesRefusal | null {
  if (facts.seats.some((s) => s === 'owner' || s === 'inside')) {
    return {
      reason: 'owner_unit',
      message: 'You belong to the owner unit (or a unit inside it): a unit outside it must verify its tickets',
    };
  }
  const what = action === 'approve' ? 'verify it' : 'approve its extension';
  if (facts.submitted) return { reason: 'submitted', message: `You submitted this ticket's close-out: someone else must ${what}` };
  if (facts.started) return { reason: 'started', message: `You started this ticket's work: someone else must ${what}` };
  if (facts.requested) return { reason: 'requested', message: 'You asked for this extension: someone else must approve it' };
  return null;
}
