import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiConflictResponse, ApiForbiddenResponse, ApiNotFoundResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AccountabilityService, CalendarService, CalendarView, CycleService, CycleView, StepView } from '@app/cycles';
import { DeliveryLog, NotificationService, WebhookDeliveries, WebhookView } from '@app/notifications';
import { CurrentPrincipal, Principal } from '@app/platform';
import { IdPipe } from '../common/id.pipe';
import {
  AccountabilityQuery,
  CyclesQuery,
  NotificationsQuery,
  PutCalendarDto,
  RunStepParams,
  RunStepQuery,
  WebhookDeliveriesQuery,
  WebhookDto,
} from './cycles.dto';
import { ApiErrors, ApiResult } from '../common/openapi';

const unitId = new IdPipe('Org unit');

@ApiTags('cycles')
@ApiBearerAuth()
@Controller()
export class CyclesController {
  constructor(
    private readonly cycles: CycleService,
    private readonly calendars: CalendarService,
    private readonly notifications: NotificationService,
    private readonly accountability: AccountabilityService,
    private readonly deliveries: WebhookDeliveries,
  ) {}

  @Get('cycles')
  @ApiResult('Cycle')
  @ApiErrors(403, 404)
  @ApiOperation({ summary: 'A township’s cycle for a month: each step’s state, when it ran and what it produced' })
  cycle(@CurrentPrincipal() p: Principal, @Query() q: CyclesQuery): Promise<CycleView> {
    return this.cycles.view(p, q.unitId, q.period);
  }

  @Post('cycles/:period/steps/:step/run')
  @ApiResult('Step')
  @ApiErrors(403, 409)
  @HttpCode(200)
  @ApiOperation({ summary: 'Run a step now; a step already done changes nothing and answers with what it produced' })
  @ApiConflictResponse({
    description:
      'the month has not begun in the township’s time zone, or earlier steps of the month are not done (`details.missing` names them, in order)',
  })
  run(@CurrentPrincipal() p: Principal, @Param() params: RunStepParams, @Query() q: RunStepQuery): Promise<StepView> {
    return this.cycles.runNow(p, q.unitId, params.period, params.step);
  }

  @Get('units/:id/calendar')
  @ApiResult('Calendar')
  @ApiOperation({ summary: 'A township’s calendar and what it schedules this month and next (its leaders, viewers and administrators)' })
  @ApiForbiddenResponse({
    description: 'a village team, an inspection group or anyone else who is not a leader, viewer or administrator of the township',
  })
  @ApiNotFoundResponse({ description: 'no such township in the caller’s scope' })
  calendar(@CurrentPrincipal() p: Principal, @Param('id', unitId) id: string): Promise<CalendarView> {
    return this.calendars.view(p, id);
  }

  @Put('units/:id/calendar')
  @ApiResult('Calendar')
  @ApiErrors(403, 409)
  @ApiOperation({ summary: 'Replace a township’s calendar (leader); scheduling follows without a restart' })
  putCalendar(@CurrentPrincipal() p: Principal, @Param('id', unitId) id: string, @Body() body: PutCalendarDto): Promise<CalendarView> {
    return this.calendars.put(p, id, body.config, body.version);
  }

  @Get('units/:id/webhook')
  @ApiResult('WebhookSetting')
  @ApiErrors(403)
  @ApiOperation({ summary: 'The unit’s WeCom/DingTalk robot webhook, if any' })
  async webhook(@CurrentPrincipal() p: Principal, @Param('id', unitId) id: string): Promise<{ webhook: WebhookView | null }> {
    return { webhook: await this.notifications.getWebhook(p, id) };
  }

  @Put('units/:id/webhook')
  @ApiResult('Webhook')
  @ApiErrors(403)
  @ApiOperation({ summary: 'Send the unit’s notifications to a WeCom/DingTalk robot as well' })
  setWebhook(@CurrentPrincipal() p: Principal, @Param('id', unitId) id: string, @Body() body: WebhookDto): Promise<WebhookView> {
    return this.notifications.setWebhook(p, id, { url: body.url, style: body.style, enabled: body.enabled ?? true, secret: body.secret });
  }

  @Delete('units/:id/webhook')
  @ApiResult({}, 204, 'removed')
  @ApiErrors(403)
  @HttpCode(204)
  removeWebhook(@CurrentPrincipal() p: Principal, @Param('id', unitId) id: string): Promise<void> {
    return this.notifications.removeWebhook(p, id);
  }

  @Get('units/:id/webhook/deliveries')
  @ApiResult('DeliveryLog')
  @ApiErrors(403)
  @ApiOperation({
    summary: 'The delivery log of the unit’s robot: recent messages, newest first, with state, attempts and the last error',
  })
  webhookDeliveries(
    @CurrentPrincipal() p: Principal,
    @Param('id', unitId) id: string,
    @Query() q: WebhookDeliveriesQuery,
  ): Promise<DeliveryLog> {
    return this.deliveries.list(p, id, { state: q.state, page: q.page, pageSize: q.pageSize });
  }

  @Get('accountability')
  @ApiResult('AccountabilityPage')
  @ApiErrors(404)
  @ApiOperation({ summary: '追责问责 records of a unit’s subtree: tickets overdue past the grace period' })
  accountabilityRecords(@CurrentPrincipal() p: Principal, @Query() q: AccountabilityQuery) {
    return this.accountability.list(p, q);
  }

  @Get('notifications')
  @ApiResult('NotificationPage')
  @ApiOperation({ summary: 'Your inbox: your notifications and those of your units' })
  inbox(@CurrentPrincipal() p: Principal, @Query() q: NotificationsQuery) {
    return this.notifications.list(p, { unread: q.unread, page: q.page, pageSize: q.pageSize });
  }

  @Post('notifications/read-all')
  @ApiResult('Marked')
  @HttpCode(200)
  async readAll(@CurrentPrincipal() p: Principal): Promise<{ marked: number }> {
    return { marked: await this.notifications.markAllRead(p) };
  }

  @Post('notifications/:id/read')
  @ApiResult({}, 204, 'marked read')
  @HttpCode(204)
  read(@CurrentPrincipal() p: Principal, @Param('id', new IdPipe('Notification')) id: string): Promise<void> {
    return this.notifications.markRead(p, id);
  }
}
