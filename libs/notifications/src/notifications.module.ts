import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { OrgModule } from '@app/org';
import { NotificationService } from './notification.service';
import { NOTIFICATIONS_QUEUE } from './notifications-jobs';
import { WebhookOutbox } from './webhook-outbox';
import { WebhookDeliveries } from './webhook-deliveries';
import { WebhookSender } from './webhook-sender';

/**
 * The in-app inbox (站内通知), the units' robot webhooks (WeCom, DingTalk) and their outbox.
 * Below tickets, so that ticket events can notify.
 */
@Module({
  imports: [OrgModule, BullModule.registerQueue({ name: NOTIFICATIONS_QUEUE })],
  providers: [NotificationService, WebhookOutbox, WebhookSender, WebhookDeliveries],
  exports: [NotificationService, WebhookOutbox, WebhookSender, WebhookDeliveries],
})
export class NotificationsModule {}
