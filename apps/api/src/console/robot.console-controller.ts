import { Controller, Get, Query, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { DeliveryState, NotificationService, WebhookDeliveries } from '@app/notifications';
import { CurrentPrincipal, Principal, Public } from '@app/platform';
import { ConsoleErrorFilter } from './console-error.filter';
import { ConsolePages, pageOf } from './console-page';
import { ConsoleTownships } from './townships';
import { ConsoleAuthGuard, ConsoleReply, ConsoleRequest } from './session';

const STATES: readonly DeliveryState[] = ['pending', 'sending', 'sent', 'failed'];

/** A township's group robot (WeCom / DingTalk) and its delivery log, for its leaders and administrators. */
@ApiExcludeController()
@Public()
@UseGuards(ConsoleAuthGuard)
@UseFilters(ConsoleErrorFilter)
@Controller()
export class RobotConsoleController {
  constructor(
    private readonly townships: ConsoleTownships,
    private readonly notifications: NotificationService,
    private readonly deliveries: WebhookDeliveries,
    private readonly pages: ConsolePages,
  ) {}

  @Get('inbox/robot')
  async robot(
    @CurrentPrincipal() p: Principal,
    @Req() req: ConsoleRequest,
    @Res() reply: ConsoleReply,
    @Query('unitId') unitId?: string,
    @Query('state') state?: string,
    @Query('page') page?: string,
  ): Promise<void> {
    const { township, choices } = await this.townships.choose(p, unitId);
    const webhook = await this.notifications.getWebhook(p, township.id);
    const only = STATES.find((s) => s === state);
    const log = await this.deliveries.list(p, township.id, { state: only, page: pageOf(page), pageSize: 50 });
    const t = this.pages.t(req);
    this.pages.show(req, reply, 'robot', {
      title: `${t.robot.title} · ${township.name}`,
      township,
      townships: choices,
      webhook,
      host: webhook ? new URL(webhook.url).host : '',
      log,
    });
  }
}
