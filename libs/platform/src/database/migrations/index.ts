import { Foundation1795300000000 } from './1795300000000-foundation';
import { Tickets1795350000000 } from './1795350000000-tickets';
import { Cycles1795400000000 } from './1795400000000-cycles';
import { Assessment1795400000001 } from './1795400000001-assessment';
import { TaskProgressOrder1795420000000 } from './1795420000000-task-progress-order';
import { Documents1795450000000 } from './1795450000000-documents';
import { TicketSearch1795500000000 } from './1795500000000-ticket-search';
import { TicketFourEyesExtensions1795650000000 } from '../../../../tickets/src/migrations/1795650000000-ticket-four-eyes-extensions';

/** Every migration, oldest first. The schema changes only through these. */
export const MIGRATIONS = [
  Foundation1795300000000,
  Tickets1795350000000,
  Cycles1795400000000,
  Assessment1795400000001,
  TaskProgressOrder1795420000000,
  Documents1795450000000,
  TicketSearch1795500000000,
  TicketFourEyesExtensions1795650000000,
];
