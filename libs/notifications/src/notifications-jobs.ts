export const NOTIFICATIONS_QUEUE = 'notifications';

/** Every job of the notifications queue and its payload. */
export interface NotificationsJobs {
  /** Send one webhook delivery. */
  webhook: { deliveryId: string };
}
