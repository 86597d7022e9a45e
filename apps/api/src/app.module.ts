import { DynamicModule, Module } from '@nestjs/common';
import { PlatformModule, ProcessPlatformOptions } from '@app/platform';
import { MIGRATIONS } from '../../schema/migrations';
import { WorkerModule } from '../../worker/src/worker.module';
import { ApiModule } from './api.module';

export interface AppRoles {
  api: boolean;
  worker: boolean;
}

/** The root module: the platform, then the HTTP API and/or the job worker. */
@Module({})
export class AppModule {
  static forRoot(platform: ProcessPlatformOptions, roles: AppRoles): DynamicModule {
    return {
      module: AppModule,
      imports: [PlatformModule.forRoot({ ...platform, migrations: MIGRATIONS }), ...(roles.api ? [ApiModule] : []), ...(roles.worker ? [WorkerModule] : [])],
    };
  }
}
