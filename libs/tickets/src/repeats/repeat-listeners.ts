import { Injectable } from '@nestjs/common';
import { TransactionListeners } from '@app/platform';
import type { EntityManager } from 'typeorm';

/** A ticket just opened and flagged `repeat` (屡查屡犯), as the libs above the tickets see it. */
export interface RepeatFlagged {
  ticketId: string;
  unitId: string;
  /** The ticket's responsible person, as it was opened. */
  responsible: string | null;
  /** The closed tickets it repeats, best match first. */
  repeatOf: string[];
}

/** Something that acts on new repeat tickets in the creating transaction (an accountability record). */
export interface RepeatListener {
  onRepeats(m: EntityManager, flagged: readonly RepeatFlagged[]): Promise<void>;
}

/**
 * Where libs above the tickets register for the tickets flagged `repeat` when they are opened
 * (raised, imported or filed in a self-check). Listeners run inside the creating transaction,
 * right after the flags are written, so what they write commits with the tickets or not at all.
 */
@Injectable()
export class RepeatListeners extends TransactionListeners<RepeatListener> {
  flagged(m: EntityManager, flagged: readonly RepeatFlagged[]): Promise<void> {
    return this.tell(m, flagged, (l, tx, items) => l.onRepeats(tx, items));
  }
}
