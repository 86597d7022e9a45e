import { Module } from '@nestjs/common';
import { OrgModule } from '@app/org';

/** BullMQ processors and the schedulers that enqueue due work. */
@Module({
  imports: [OrgModule],
})
export class WorkerModule {}
