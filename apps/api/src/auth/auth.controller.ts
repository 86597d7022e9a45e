import { Body, Controller, Get, HttpCode, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuthService, LoginResult, UserService, UserView, WorkAreas, workAreasOf } from '@app/org';
import { CurrentPrincipal, Principal, Public } from '@app/platform';
import { ChangePasswordDto, LoginDto } from './auth.dto';
import { ApiErrors, ApiResult } from '../common/openapi';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly users: UserService,
  ) {}

  @Public()
  @Post('login')
  @ApiResult('LoginResult')
  @ApiErrors(403)
  @HttpCode(200)
  @ApiOperation({ summary: 'Sign in; repeated failures for a user or from an address get 429' })
  login(@Body() body: LoginDto, @Req() req: { ip: string }): Promise<LoginResult> {
    return this.auth.login(body.username, body.password, req.ip);
  }

  @Get('me')
  @ApiResult('User')
  @ApiBearerAuth()
  @ApiOperation({
    summary: 'The signed-in user with memberships and the work areas they open (team, inspection, oversight, administration)',
  })
  async me(@CurrentPrincipal() principal: Principal): Promise<UserView & { workAreas: WorkAreas }> {
    return { ...(await this.users.view(principal.userId)), workAreas: workAreasOf(principal.scope) };
  }

  @Post('password')
  @ApiResult('LoginResult')
  @HttpCode(200)
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Change your own password; other sessions end' })
  changePassword(@CurrentPrincipal() principal: Principal, @Body() body: ChangePasswordDto): Promise<LoginResult> {
    return this.auth.changePassword(principal, body.currentPassword, body.newPassword);
  }
}
