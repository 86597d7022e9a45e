import { Module } from '@nestjs/common';
import { CyclesModule, CyclesWorker } from '@app/cycles';
import { DocumentsModule } from '@app/documents';

/** BullMQ workers and the schedulers that enqueue due work. */
@Module({
  imports: [CyclesModule, DocumentsModule],
  providers: [CyclesWorker],
})
export class WorkerModule {}
