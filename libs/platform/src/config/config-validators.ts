import { registerDecorator, ValidationOptions } from 'class-validator';
import { IANAZone } from 'luxon';

function define(name: string, message: string, test: (v: unknown) => boolean, options?: ValidationOptions) {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name,
      target: target.constructor,
      propertyName,
      options: { message, ...options },
      validator: { validate: test },
    });
}

export const IsIanaZone = (options?: ValidationOptions) =>
  define('isIanaZone', 'must be an IANA time zone such as Asia/Shanghai', (v) => typeof v === 'string' && IANAZone.isValidZone(v), options);

export const IsDuration = (options?: ValidationOptions) =>
  define(
    'isDuration',
    'must be a duration such as 500ms, 30s, 15m, 12h or 7d',
    (v) => typeof v === 'string' && /^\d+\s*(ms|s|m|h|d)$/.test(v.trim()) && !/^0+\s*\D/.test(v.trim()),
    options,
  );

export const IsConnectionUrl = (protocols: string[], options?: ValidationOptions) =>
  define(
    'isConnectionUrl',
    `must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}`,
    (v) => {
      if (typeof v !== 'string') return false;
      try {
        return protocols.includes(new URL(v).protocol);
      } catch {
        return false;
      }
    },
    options,
  );
