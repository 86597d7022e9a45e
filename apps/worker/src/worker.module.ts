import { Module } from '@nestjs/common';
import { CyclesModule, CyclesWorker } from '@app/cycles';

/** BullMQ workers and the schedulers that enqueue due work. */
@Module({
  imports: [CyclesModule],
  providers: [CyclesWorker],
})
export class WorkerModule {}
