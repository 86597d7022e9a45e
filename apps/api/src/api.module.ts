import { Module } from '@nestjs/common';
import { CampaignsModule } from '@app/campaigns';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { CyclesModule } from '@app/cycles';
import { DocumentsModule } from '@app/documents';
import { NotificationsModule } from '@app/notifications';
import { OrgModule } from '@app/org';
import { TicketsModule } from '@app/tickets';
import { AuthGuard, HttpErrorFilter, UserRateLimitInterceptor } from '@app/platform';
import { AuthController } from './auth/auth.controller';
import { HealthController } from './health/health.controller';
import { OrgUnitsController } from './org/org-units.controller';
import { UsersController } from './org/users.controller';
import { CyclesController } from './cycles/cycles.controller';
import { SelfChecksController } from './cycles/self-checks.controller';
import { TasksController } from './cycles/tasks.controller';
import { TicketRecordsController } from './tickets/ticket-records.controller';
import { TicketsController } from './tickets/tickets.controller';
import { ConsoleModule } from './console/console.module';
import { LedgerController } from './documents/ledger.controller';
import { DocumentsController } from './documents/documents.controller';
import { CampaignsController } from './campaigns/campaigns.controller';

/** The HTTP API under /api/v1: every route needs a token unless marked public. */
@Module({
  imports: [OrgModule, NotificationsModule, TicketsModule, CampaignsModule, CyclesModule, DocumentsModule, ConsoleModule],
  controllers: [
    AuthController,
    HealthController,
    OrgUnitsController,
    UsersController,
    CyclesController,
    TasksController,
    SelfChecksController,
    TicketsController,
    TicketRecordsController,
    LedgerController,
    DocumentsController,
    CampaignsController,
  ],
  providers: [
    { provide: APP_GUARD, useClass: AuthGuard },
    { provide: APP_FILTER, useClass: HttpErrorFilter },
    { provide: APP_INTERCEPTOR, useClass: UserRateLimitInterceptor },
  ],
})
export class ApiModule {}
