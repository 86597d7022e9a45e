import { DynamicModule, Module, Type } from '@nestjs/common';
import { PlatformModule, ProcessPlatformOptions } from '@app/platform';
import { MIGRATIONS } from '../../schema/migrations';
import { ApiModule } from './api.module';

/**
 * The API process's root: the platform and the HTTP API, plus any module the process runs
 * beside it (`--with-worker` adds the job worker's module).
 */
@Module({})
export class AppModule {
  static forRoot(platform: ProcessPlatformOptions, alongside: ReadonlyArray<Type> = []): DynamicModule {
    return {
      module: AppModule,
      imports: [PlatformModule.forRoot({ ...platform, migrations: MIGRATIONS }), ApiModule, ...alongside],
    };
  }
}
