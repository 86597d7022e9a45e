import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { ApiHeader } from '@nestjs/swagger';
import { ValidationFailed } from '@app/platform';

const KEY = /^[\x21-\x7e]{1,200}$/;

/**
 * The request's `Idempotency-Key`, or undefined without one: 1 to 200 visible ASCII characters
 * (a UUID serves), else 400. The key is the caller's own: another user's same key is another key.
 */
export function idempotencyKeyFrom(raw: string | string[] | undefined): string | undefined {
  const value = (Array.isArray(raw) ? raw[0] : raw)?.trim();
  if (raw === undefined) return undefined;
  if (!value || !KEY.test(value)) throw ValidationFailed.field('Idempotency-Key', 'must be 1 to 200 visible ASCII characters');
  return value;
}

export const IdempotencyKey = createParamDecorator((_: unknown, ctx: ExecutionContext): string | undefined => {
  const req = ctx.switchToHttp().getRequest<{ headers: Record<string, string | string[] | undefined> }>();
  return idempotencyKeyFrom(req.headers['idempotency-key']);
});

/** OpenAPI for a write that honours `Idempotency-Key` (its 409 is among the route's errors). */
export function ApiIdempotent(): MethodDecorator {
  return ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description:
      'a retry with the same key and the same body answers as the first request did and does the work once; the same key with another body is 409 (details.reason idempotency_key_reused)',
  });
}
