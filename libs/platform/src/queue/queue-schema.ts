/** The PostgreSQL schema of the job queue when it runs on BullMQ's PostgreSQL backend. */
export const QUEUE_SCHEMA = 'bullmq';
