import { Module } from '@nestjs/common';
import { NotificationsModule } from '@app/notifications';
import { OrgModule } from '@app/org';
import { EvidenceService } from './evidence/evidence.service';
import { FileStore } from './evidence/file-store';
import { HistoryChainService } from './history/history-chain.service';
import { FindingsImportService } from './import/findings-import.service';
import { InspectionService } from './inspections/inspection.service';
import { TicketsSeeder } from './seed/tickets-seeder';
import { CategoryList } from './tickets/category-list';
import { TicketEditService } from './tickets/ticket-edit.service';
import { TicketQueryService } from './tickets/ticket-query.service';
import { TicketWriter } from './tickets/ticket-writer';
import { TicketService } from './tickets/ticket.service';
import { TransitionService } from './tickets/transition.service';

/** Inspections, findings import, tickets, the close-out workflow, evidence and history. */
@Module({
  imports: [OrgModule, NotificationsModule],
  providers: [
    CategoryList,
    TicketWriter,
    TicketService,
    TicketQueryService,
    TransitionService,
    TicketEditService,
    InspectionService,
    FindingsImportService,
    FileStore,
    EvidenceService,
    TicketsSeeder,
    HistoryChainService,
  ],
  exports: [
    CategoryList,
    TicketWriter,
    TicketService,
    TicketQueryService,
    TransitionService,
    TicketEditService,
    InspectionService,
    FindingsImportService,
    EvidenceService,
    HistoryChainService,
  ],
})
export class TicketsModule {}
