import { Module } from '@nestjs/common';
import { CampaignsModule } from '@app/campaigns';
import { CyclesModule } from '@app/cycles';
import { DocumentsModule } from '@app/documents';
import { NotificationsModule } from '@app/notifications';
import { OrgModule } from '@app/org';
import { TicketsModule } from '@app/tickets';
import { AdminConsoleController } from './admin.console-controller';
import { AppShell, AppShellConsoleController } from './app-shell';
import { AuthConsoleController } from './auth.console-controller';
import { ConsoleErrorFilter } from './console-error.filter';
import { ConsolePages } from './console-page';
import { DispatchConsoleController } from './dispatch.console-controller';
import { DocsConsoleController } from './docs.console-controller';
import { InspectorConsoleController } from './inspector.console-controller';
import { LeaderConsoleController } from './leader.console-controller';
import { RobotConsoleController } from './robot.console-controller';
import { ConsoleAuthGuard, ConsoleSessions } from './session';
import { TicketEditConsoleController } from './ticket-edit.console-controller';
import { TeamConsoleController } from './team.console-controller';
import { TeamWorkConsoleController } from './team-work.console-controller';
import { VerificationConsoleController } from './verification.console-controller';
import { ConsoleTownships } from './townships';
import { ConsoleViews } from './views';

/**
 * The web console at `/`: server-rendered pages for village teams, inspection groups, township
 * leaders and administrators, over the same lib services and scope rules as the API.
 */
@Module({
  imports: [OrgModule, NotificationsModule, TicketsModule, CampaignsModule, CyclesModule, DocumentsModule],
  controllers: [
    AuthConsoleController,
    TeamConsoleController,
    TeamWorkConsoleController,
    InspectorConsoleController,
    LeaderConsoleController,
    DispatchConsoleController,
    DocsConsoleController,
    AdminConsoleController,
    AppShellConsoleController,
    VerificationConsoleController,
    TicketEditConsoleController,
    RobotConsoleController,
  ],
  providers: [AppShell, ConsoleViews, ConsolePages, ConsoleTownships, ConsoleSessions, ConsoleAuthGuard, ConsoleErrorFilter],
})
export class ConsoleModule {}
