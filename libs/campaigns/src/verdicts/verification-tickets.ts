import { Injectable } from '@nestjs/common';
import type { Principal } from '@app/platform';
import { CategoryList, RectificationClass, TicketWriter } from '@app/tickets';
import type { EntityManager } from 'typeorm';

/** A problem a verdict found, on the household's village, for the campaign's inspection. */
export interface VerificationTicketDraft {
  inspectionId: string;
  title: string;
  description: string;
  category: string;
  village: { id: string; path: string; timezone: string };
  rectificationClass: RectificationClass;
  deadline: string;
}

/**
 * The one place the campaigns lib opens tickets: through the tickets lib's public writer, in
 * the caller's transaction, so a verdict and its ticket are written together or not at all.
 */
@Injectable()
export class VerificationTickets {
  constructor(
    private readonly writer: TicketWriter,
    private readonly categories: CategoryList,
  ) {}

  async open(
    m: EntityManager,
    principal: Principal,
    drafts: readonly VerificationTicketDraft[],
  ): Promise<Array<{ id: string; code: string }>> {
    return this.writer.create(
      m,
      drafts.map((d) => ({
        title: d.title,
        description: d.description,
        // A county may have renamed its categories; the ticket then has none rather than an unknown one.
        category: this.categories.has(d.category) ? d.category : null,
        source: 'verification' as const,
        inspectionId: d.inspectionId,
        unitId: d.village.id,
        unitPath: d.village.path,
        unitTz: d.village.timezone,
        rectificationClass: d.rectificationClass,
        deadline: d.deadline,
      })),
      { id: principal.userId, name: principal.displayName },
    );
  }
}
