import { Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { OrgModule } from '@app/org';
import { AuthGuard, HttpErrorFilter } from '@app/platform';
import { AuthController } from './auth/auth.controller';
import { HealthController } from './health/health.controller';
import { OrgUnitsController } from './org/org-units.controller';
import { UsersController } from './org/users.controller';

/** The HTTP API under /api/v1: every route needs a token unless marked public. */
@Module({
  imports: [OrgModule],
  controllers: [AuthController, HealthController, OrgUnitsController, UsersController],
  providers: [
    { provide: APP_GUARD, useClass: AuthGuard },
    { provide: APP_FILTER, useClass: HttpErrorFilter },
  ],
})
export class ApiModule {}
