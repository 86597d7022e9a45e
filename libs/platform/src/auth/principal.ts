import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import { Unauthenticated } from '../errors/domain-error';
import { Scope } from './scope';

/** The signed-in user behind a request, with the scope the org rules give them. */
export interface Principal {
  userId: string;
  username: string;
  displayName: string;
  scope: Scope;
}

/** Looks up the principal for a verified token; implemented by the org lib. */
export abstract class PrincipalResolver {
  /** Undefined when the user no longer exists, is disabled, or the token was revoked. */
  abstract resolve(userId: string, tokenVersion: number): Promise<Principal | undefined>;
}

export const IS_PUBLIC = 'auth:public';
/** Marks a route that needs no token (login, health). */
export const Public = () => SetMetadata(IS_PUBLIC, true);

export interface RequestWithPrincipal {
  principal?: Principal;
}

export const CurrentPrincipal = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal => {
  const request = ctx.switchToHttp().getRequest<RequestWithPrincipal>();
  if (!request.principal) throw new Unauthenticated();
  return request.principal;
});
