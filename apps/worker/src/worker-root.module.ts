import { DynamicModule, Module } from '@nestjs/common';
import { PlatformModule, ProcessPlatformOptions } from '@app/platform';
import { MIGRATIONS } from '../../schema/migrations';
import { WorkerModule } from './worker.module';

/** The worker process's root: the platform and the job workers, no HTTP. */
@Module({})
export class WorkerRootModule {
  static forRoot(platform: ProcessPlatformOptions): DynamicModule {
    return { module: WorkerRootModule, imports: [PlatformModule.forRoot({ ...platform, migrations: MIGRATIONS }), WorkerModule] };
  }
}
