import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { AssessmentModule } from '@app/assessment';
import { CampaignsModule } from '@app/campaigns';
import { NotificationsModule } from '@app/notifications';
import { OrgModule } from '@app/org';
import { TicketsModule } from '@app/tickets';
import { CalendarService } from './calendar/calendar.service';
import { CYCLES_QUEUE } from './jobs/cycles-jobs';
import { RankingsQuery } from './ranking/rankings.service';
import { TeamMetricsService } from './ranking/team-metrics.service';
import { AccountabilityService } from './reminders/accountability.service';
import { OverdueEscalation } from './reminders/escalation';
import { ReminderService } from './reminders/reminder.service';
import { RepeatAccountability } from './reminders/repeat-accountability';
import { CycleService } from './runs/cycle.service';
import { EventRunner } from './runs/event-runner';
import { FailedRuns } from './runs/failed-runs';
import { CycleOutputListeners } from './runs/output-listeners';
import { STEP_HANDLERS, StepHandler } from './runs/step-handler';
import { StepRunner } from './runs/step-runner.service';
import { CycleScheduler } from './scheduler/cycle-scheduler.service';
import { SelfCheckService } from './self-check/self-check.service';
import { BulletinRules } from './steps/bulletin-rules';
import { DispatchStep } from './steps/dispatch.step';
import { ReportStep } from './steps/report.step';
import { ReviewStep } from './steps/review.step';
import { SelfCheckStep } from './steps/self-check.step';
import { SupervisionStep } from './steps/supervision.step';
import { TaskListService } from './tasks/task-list.service';
import { TaskService } from './tasks/task.service';
import { StepRunMetrics } from './runs/step-run-metrics';
import { HistoryAudit } from './audit/history-audit.service';
import { CrossCheckTasks } from './tasks/cross-check-tasks';

const STEPS = [DispatchStep, SelfCheckStep, ReviewStep, ReportStep, SupervisionStep];

/**
 * The monthly cycle engine ("五招 + 五单"): calendars, task lists, self-checks, the five steps
 * and their runs, reminders and escalation, ranking inputs.
 */
@Module({
  imports: [
    OrgModule,
    NotificationsModule,
    TicketsModule,
    AssessmentModule,
    CampaignsModule,
    BullModule.registerQueue({ name: CYCLES_QUEUE }),
  ],
  providers: [
    CalendarService,
    TaskListService,
    TaskService,
    SelfCheckService,
    TeamMetricsService,
    RankingsQuery,
    ReminderService,
    OverdueEscalation,
    AccountabilityService,
    RepeatAccountability,
    CycleService,
    EventRunner,
    CycleOutputListeners,
    StepRunner,
    FailedRuns,
    CycleScheduler,
    BulletinRules,
    StepRunMetrics,
    HistoryAudit,
    CrossCheckTasks,
    ...STEPS,
    { provide: STEP_HANDLERS, useFactory: (...steps: StepHandler[]) => steps, inject: [...STEPS] },
  ],
  exports: [
    CalendarService,
    TaskListService,
    TaskService,
    SelfCheckService,
    RankingsQuery,
    CycleService,
    StepRunner,
    FailedRuns,
    CycleScheduler,
    ReminderService,
    AccountabilityService,
    CycleOutputListeners,
    HistoryAudit,
  ],
})
export class CyclesModule {}
