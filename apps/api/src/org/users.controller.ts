import { Body, Controller, Get, Param, Patch, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Page, UserService, UserView } from '@app/org';
import { CurrentPrincipal, Principal } from '@app/platform';
import { IdPipe } from '../common/id.pipe';
import { CreateUserDto, ListUsersQuery, SetMembershipsDto, UpdateUserDto } from './org.dto';
import { ApiErrors, ApiResult } from '../common/openapi';

const userId = new IdPipe('User');

@ApiTags('org')
@ApiBearerAuth()
@Controller('users')
export class UsersController {
  constructor(private readonly users: UserService) {}

  @Post()
  @ApiResult('User', 201)
  @ApiErrors(403, 409)
  @ApiOperation({ summary: 'Add a user with memberships (an administrator of each unit); duplicate username → 409' })
  create(@CurrentPrincipal() p: Principal, @Body() body: CreateUserDto): Promise<UserView> {
    return this.users.create(p, body);
  }

  @Get()
  @ApiResult('UserPage')
  @ApiOperation({ summary: 'Users with a membership in your scope' })
  list(@CurrentPrincipal() p: Principal, @Query() q: ListUsersQuery): Promise<Page<UserView>> {
    return this.users.list(p, q);
  }

  @Get(':id')
  @ApiResult('User')
  get(@CurrentPrincipal() p: Principal, @Param('id', userId) id: string): Promise<UserView> {
    return this.users.get(p, id);
  }

  @Patch(':id')
  @ApiResult('User')
  @ApiErrors(403, 409)
  @ApiOperation({ summary: 'Change name, phone, password or disable; a new password or disabling ends the user’s sessions' })
  update(@CurrentPrincipal() p: Principal, @Param('id', userId) id: string, @Body() body: UpdateUserDto): Promise<UserView> {
    return this.users.update(p, id, body);
  }

  @Put(':id/memberships')
  @ApiResult('User')
  @ApiErrors(403)
  @ApiOperation({ summary: 'Replace the user’s memberships' })
  setMemberships(@CurrentPrincipal() p: Principal, @Param('id', userId) id: string, @Body() body: SetMembershipsDto): Promise<UserView> {
    return this.users.setMemberships(p, id, body.memberships);
  }
}
