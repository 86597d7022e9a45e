import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { Unauthenticated } from '../errors/domain-error';
import { IS_PUBLIC, PrincipalResolver, RequestWithPrincipal } from './principal';
import { TokenService } from './token.service';

/** Every route needs a valid bearer token unless marked @Public(). */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: TokenService,
    private readonly principals: PrincipalResolver,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()]);
    if (isPublic) return true;
    const request = context.switchToHttp().getRequest<RequestWithPrincipal & { headers: Record<string, string | undefined> }>();
    const header = request.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw new Unauthenticated();
    const claims = await this.tokens.verify(match[1]);
    const principal = await this.principals.resolve(claims.sub, claims.ver);
    if (!principal) throw new Unauthenticated('This account is disabled or its sessions were revoked; sign in again');
    request.principal = principal;
    return true;
  }
}
