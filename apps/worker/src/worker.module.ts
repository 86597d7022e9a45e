import { Module } from '@nestjs/common';
import { CyclesModule } from '@app/cycles';
import { DocumentsModule } from '@app/documents';
import { NotificationsModule } from '@app/notifications';
import { CyclesWorker } from './cycles.worker';
import { NotificationsWorker } from './notifications.worker';

/** BullMQ workers and the schedulers that enqueue due work. */
@Module({
  imports: [NotificationsModule, CyclesModule, DocumentsModule],
  providers: [CyclesWorker, NotificationsWorker],
})
export class WorkerModule {}
