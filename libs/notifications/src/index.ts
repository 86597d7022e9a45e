export * from './notifications.module';
export * from './notifications-jobs';
export * from './notification.service';
export * from './webhook-outbox';
export * from './webhook-sender';
export * from './notification-log';
export * from './webhook-deliveries';
export * from './robot-message';
