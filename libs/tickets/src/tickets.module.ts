import { Module } from '@nestjs/common';
import { NotificationsModule } from '@app/notifications';
import { OrgModule } from '@app/org';
import { EvidenceService } from './evidence/evidence.service';
import { FileStore } from './evidence/file-store';
import { HistoryChainService } from './history/history-chain.service';
import { TicketFacts } from './facts/ticket-facts';
import { TicketFactsSql } from './facts/ticket-facts.sql';
import { FindingsImportService } from './import/findings-import.service';
import { InspectionService } from './inspections/inspection.service';
import { RepeatListeners } from './repeats/repeat-listeners';
import { TicketsSeeder } from './seed/tickets-seeder';
import { CategoryList } from './tickets/category-list';
import { TicketCreation } from './tickets/ticket-creation.service';
import { TicketEditService } from './tickets/ticket-edit.service';
import { TicketQueryService } from './tickets/ticket-query.service';
import { TicketWriter } from './tickets/ticket-writer';
import { TicketService } from './tickets/ticket.service';
import { TransitionService } from './tickets/transition.service';

/**
 * Inspections, findings import, tickets, the close-out workflow, evidence and history, and the
 * monthly cycle's view of the tickets.
 */
@Module({
  imports: [OrgModule, NotificationsModule],
  providers: [
    CategoryList,
    TicketWriter,
    TicketCreation,
    TicketService,
    TicketQueryService,
    TransitionService,
    TicketEditService,
    InspectionService,
    FindingsImportService,
    { provide: TicketFacts, useClass: TicketFactsSql },
    FileStore,
    EvidenceService,
    TicketsSeeder,
    HistoryChainService,
    RepeatListeners,
  ],
  exports: [
    CategoryList,
    TicketCreation,
    TicketService,
    TicketQueryService,
    TransitionService,
    TicketEditService,
    InspectionService,
    FindingsImportService,
    EvidenceService,
    HistoryChainService,
    TicketFacts,
    RepeatListeners,
  ],
})
export class TicketsModule {}
