import { DynamicModule, Module } from '@nestjs/common';
import { PlatformModule, PlatformOptions } from '@app/platform';
import { WorkerModule } from '../../worker/src/worker.module';
import { ApiModule } from './api.module';

export interface AppRoles {
  api: boolean;
  worker: boolean;
}

/** The root module: the platform, then the HTTP API and/or the job worker. */
@Module({})
export class AppModule {
  static forRoot(platform: PlatformOptions, roles: AppRoles): DynamicModule {
    return {
      module: AppModule,
      imports: [PlatformModule.forRoot(platform), ...(roles.api ? [ApiModule] : []), ...(roles.worker ? [WorkerModule] : [])],
    };
  }
}
