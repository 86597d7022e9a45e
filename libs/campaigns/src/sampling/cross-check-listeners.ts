import { Injectable } from '@nestjs/common';
import { TransactionListeners } from '@app/platform';
import type { EntityManager } from 'typeorm';

/** A drawn village given to a team that is not its own (交叉互查), as the team's work for the month. */
export interface CrossCheckAssignment {
  /** Stable across re-reads: the draw and the village. */
  key: string;
  campaignId: string;
  campaignTitle: string;
  /** The month of the draw (`YYYY-MM`). */
  month: string;
  villageId: string;
  villageName: string;
  teamId: string;
  /** Households drawn in the village: what the team has to check. */
  households: number;
}

/** How far a team has got with an assignment: verdicts recorded for its drawn households. */
export interface CrossCheckProgress {
  key: string;
  checked: number;
}

/** Something that acts on cross-inspection work in the writer's own transaction (the team's tasks). */
export interface CrossCheckListener {
  onAssigned(m: EntityManager, assignments: readonly CrossCheckAssignment[]): Promise<void>;
  onProgress(m: EntityManager, progress: readonly CrossCheckProgress[]): Promise<void>;
}

/**
 * Where libs above the campaigns register for its cross-inspection assignments and their
 * progress. Listeners run inside the draw's or the verdicts' transaction, so what they write
 * commits with them or not at all.
 */
@Injectable()
export class CrossCheckListeners extends TransactionListeners<CrossCheckListener> {
  assigned(m: EntityManager, assignments: readonly CrossCheckAssignment[]): Promise<void> {
    return this.tell(m, assignments, (l, tx, items) => l.onAssigned(tx, items));
  }

  progressed(m: EntityManager, progress: readonly CrossCheckProgress[]): Promise<void> {
    return this.tell(m, progress, (l, tx, items) => l.onProgress(tx, items));
  }
}

export function assignmentKey(drawId: string, villageId: string): string {
  return `campaign:${drawId}:${villageId}`;
}
