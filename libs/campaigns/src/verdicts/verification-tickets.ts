import { Injectable } from '@nestjs/common';
import type { Principal } from '@app/platform';
import { CategoryList, RectificationClass, TicketCreation } from '@app/tickets';
import type { EntityManager } from 'typeorm';

/** A problem a verdict found, on the household's village, for the campaign's inspection. */
export interface VerificationTicketDraft {
  inspectionId: string;
  title: string;
  description: string;
  category: string;
  village: { id: string; path: string; timezone: string };
  /** The teams the campaign sent to check the village, who may open its tickets. */
  checkingTeams?: readonly string[];
  rectificationClass: RectificationClass;
  deadline: string;
}

/**
 * The one place the campaigns lib opens tickets: through the tickets lib's ticket creation, by
 * the person recording the verdict, in the caller's transaction, so a verdict and its ticket are
 * written together or not at all.
 */
@Injectable()
export class VerificationTickets {
  constructor(
    private readonly creation: TicketCreation,
    private readonly categories: CategoryList,
  ) {}

  async open(
    m: EntityManager,
    principal: Principal,
    drafts: readonly VerificationTicketDraft[],
  ): Promise<Array<{ id: string; code: string }>> {
    return this.creation.createMany(
      principal,
      drafts.map((d) => ({
        title: d.title,
        description: d.description,
        // A county may have renamed its categories; the ticket then has none rather than an unknown one.
        category: this.categories.has(d.category) ? d.category : null,
        inspectionId: d.inspectionId,
        unitId: d.village.id,
        checkingTeams: d.checkingTeams,
        rectificationClass: d.rectificationClass,
        deadline: d.deadline,
      })),
      'verification',
      m,
    );
  }
}
