import type { MigrationInterface } from 'typeorm';
import { Foundation1795300000000 } from '../../libs/org/src/migrations/1795300000000-foundation';
import { Tickets1795350000000 } from '../../libs/tickets/src/migrations/1795350000000-tickets';
import { Cycles1795400000000 } from '../../libs/cycles/src/migrations/1795400000000-cycles';
import { Assessment1795400000001 } from '../../libs/assessment/src/migrations/1795400000001-assessment';
import { TaskProgressOrder1795420000000 } from '../../libs/cycles/src/migrations/1795420000000-task-progress-order';
import { Documents1795450000000 } from '../../libs/documents/src/migrations/1795450000000-documents';
import { TicketSearch1795500000000 } from '../../libs/tickets/src/migrations/1795500000000-ticket-search';
import { SharedRanks1795600000000 } from '../../libs/assessment/src/migrations/1795600000000-shared-ranks';
import { TicketFourEyesExtensions1795650000000 } from '../../libs/tickets/src/migrations/1795650000000-ticket-four-eyes-extensions';
import { EvidenceChecks1795760000000 } from '../../libs/tickets/src/migrations/1795760000000-evidence-checks';
import { Campaigns1795800000000 } from '../../libs/campaigns/src/migrations/1795800000000-campaigns';
import { WebhookSecret1795850000000 } from '../../libs/notifications/src/migrations/1795850000000-webhook-secret';
import { TicketHistoryChain1795900000000 } from '../../libs/tickets/src/migrations/1795900000000-ticket-history-chain';
import { ServiceRole1795900000001 } from '../../libs/platform/src/migrations/1795900000001-service-role';
import { AccountabilityLevels1795912000000 } from '../../libs/cycles/src/migrations/1795912000000-accountability-levels';
import { WebhookDeliveryLog1795917000000 } from '../../libs/notifications/src/migrations/1795917000000-webhook-delivery-log';
import { EvidenceReportedFacts1795921500000 } from '../../libs/tickets/src/migrations/1795921500000-evidence-reported-facts';
import { UnitLocation1795930000000 } from '../../libs/org/src/migrations/1795930000000-unit-location';
import { EvidenceRole1795930000001 } from '../../libs/tickets/src/migrations/1795930000001-evidence-role';
import { TaskOrigin1795930000002 } from '../../libs/cycles/src/migrations/1795930000002-task-origin';
import { TicketFlags1795930000003 } from '../../libs/tickets/src/migrations/1795930000003-ticket-flags';
import { PrincipalEpoch1795931000000 } from '../../libs/org/src/migrations/1795931000000-principal-epoch';
import { InspectionRound1795940000000 } from '../../libs/tickets/src/migrations/1795940000000-inspection-round';
import { FindingsColumnMapping1795947000000 } from '../../libs/tickets/src/migrations/1795947000000-findings-column-mapping';
import { EvidenceNearDuplicateBands1796199656476 } from '../../libs/tickets/src/migrations/1796199656476-evidence-near-duplicate-bands';
import { TicketEventFlagged1796206112512 } from '../../libs/tickets/src/migrations/1796206112512-ticket-event-flagged';
import { TicketOpenSubtreeDeadline1796206258685 } from '../../libs/tickets/src/migrations/1796206258685-ticket-open-subtree-deadline';
import { AccountabilityGround1796213907341 } from '../../libs/cycles/src/migrations/1796213907341-accountability-ground';
import { TicketOpenMonthCount1796300000000 } from '../../libs/tickets/src/migrations/1796300000000-ticket-open-month-count';

/**
 * Every migration, oldest first. The schema changes only through these. Each lib keeps the
 * migrations of its own tables in `libs/<lib>/src/migrations/`; this list composes them in
 * timestamp order for the service and the TypeORM CLI (a test checks the order).
 */
export const MIGRATIONS: Array<new () => MigrationInterface> = [
  Foundation1795300000000,
  Tickets1795350000000,
  Cycles1795400000000,
  Assessment1795400000001,
  TaskProgressOrder1795420000000,
  Documents1795450000000,
  TicketSearch1795500000000,
  SharedRanks1795600000000,
  TicketFourEyesExtensions1795650000000,
  EvidenceChecks1795760000000,
  Campaigns1795800000000,
  WebhookSecret1795850000000,
  TicketHistoryChain1795900000000,
  ServiceRole1795900000001,
  AccountabilityLevels1795912000000,
  WebhookDeliveryLog1795917000000,
  EvidenceReportedFacts1795921500000,
  UnitLocation1795930000000,
  EvidenceRole1795930000001,
  TaskOrigin1795930000002,
  TicketFlags1795930000003,
  PrincipalEpoch1795931000000,
  InspectionRound1795940000000,
  FindingsColumnMapping1795947000000,
  EvidenceNearDuplicateBands1796199656476,
  TicketEventFlagged1796206112512,
  TicketOpenSubtreeDeadline1796206258685,
  AccountabilityGround1796213907341,
  TicketOpenMonthCount1796300000000,
];
