import { Module } from '@nestjs/common';
import { PrincipalResolver } from '@app/platform';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuthService } from './auth/auth.service';
import { LoginAttempts } from './auth/login-attempts';
import { PrincipalService } from './auth/principal.service';
import { OrgImportService } from './import/org-import.service';
import { OrgSeeder } from './seed/org-seeder';
import { OrgUnit } from './units/org-unit.entity';
import { OrgUnitService } from './units/org-unit.service';
import { Membership } from './users/membership.entity';
import { User } from './users/user.entity';
import { UserService } from './users/user.service';

/** The org tree, users, memberships and the scope rules. */
@Module({
  imports: [TypeOrmModule.forFeature([OrgUnit, User, Membership])],
  providers: [
    OrgUnitService,
    UserService,
    AuthService,
    LoginAttempts,
    OrgImportService,
    OrgSeeder,
    PrincipalService,
    { provide: PrincipalResolver, useExisting: PrincipalService },
  ],
  exports: [OrgUnitService, UserService, AuthService, OrgImportService, PrincipalResolver],
})
export class OrgModule {}
