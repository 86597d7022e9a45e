import { BadRequestException, NotFoundException } from '@nestjs/common';
import { QueryFailedError } from 'typeorm';
import {
  Conflict,
  DomainError,
  ErrorCode,
  IllegalTransition,
  ImportRejected,
  NotFound,
  RateLimited,
  ValidationFailed,
} from './domain-error';
import { mapError, statusOf } from './http-error.filter';

const pgError = (code: string, message = 'x') => new QueryFailedError('SELECT 1', [], Object.assign(new Error(message), { code }));

describe('mapError', () => {
  it('gives every error code a status', () => {
    const expected: Record<ErrorCode, number> = {
      VALIDATION: 400,
      UNAUTHENTICATED: 401,
      FORBIDDEN: 403,
      NOT_FOUND: 404,
      CONFLICT: 409,
      ILLEGAL_TRANSITION: 409,
      PAYLOAD_TOO_LARGE: 413,
      UNSUPPORTED_MEDIA_TYPE: 415,
      IMPORT_REJECTED: 422,
      RATE_LIMITED: 429,
      UNAVAILABLE: 503,
    };
    for (const code of Object.values(ErrorCode)) expect(statusOf(code)).toBe(expected[code]);
  });

  it('shapes domain errors as API.md says', () => {
    expect(mapError(new NotFound('Ticket', 'abc')).body).toEqual({
      statusCode: 404,
      error: 'Not Found',
      message: 'Ticket abc was not found',
    });
    expect(mapError(new IllegalTransition('cannot approve an open ticket', ['start', 'cancel'])).body).toEqual({
      statusCode: 409,
      error: 'Conflict',
      message: 'cannot approve an open ticket',
      details: { allowed: ['start', 'cancel'] },
    });
    expect(mapError(new ImportRejected([{ row: 3, column: '责任单位', message: 'unknown unit' }])).body).toMatchObject({
      statusCode: 422,
      details: { rows: [{ row: 3, column: '责任单位', message: 'unknown unit' }] },
    });
    expect(mapError(ValidationFailed.field('deadline', 'must be a date')).body.details).toEqual({
      fields: [{ field: 'deadline', messages: ['must be a date'] }],
    });
    const limited = mapError(new RateLimited('slow down', 42));
    expect(limited.headers['retry-after']).toBe('42');
    expect(new Conflict('x')).toBeInstanceOf(DomainError);
  });

  it('keeps Nest HTTP exceptions in the same shape', () => {
    expect(mapError(new NotFoundException('Cannot GET /x')).body).toEqual({
      statusCode: 404,
      error: 'Not Found',
      message: 'Cannot GET /x',
    });
    expect(mapError(new BadRequestException()).body.statusCode).toBe(400);
  });

  it('answers 503 when the database or Redis is out of reach, and says which', () => {
    const db = mapError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }));
    expect(db.body).toMatchObject({ statusCode: 503, message: expect.stringMatching(/^The database/) });
    expect(db.headers['retry-after']).toBeDefined();
    expect(mapError(pgError('57P01', 'terminating connection due to administrator command')).body.statusCode).toBe(503);
    expect(mapError(new Error('Connection terminated unexpectedly')).body.statusCode).toBe(503);
    const redis = mapError(new Error("Stream isn't writeable and enableOfflineQueue options is false"));
    expect(redis.body.message).toMatch(/Redis/);
  });

  it('maps write conflicts to 409 and hides anything unexpected behind a 500', () => {
    expect(mapError(pgError('23505')).body.statusCode).toBe(409);
    expect(mapError(pgError('40001')).body.statusCode).toBe(409);
    const unexpected = mapError(new TypeError("Cannot read properties of undefined (reading 'x')"));
    expect(unexpected.body).toEqual({ statusCode: 500, error: 'Internal Server Error', message: 'Internal server error' });
    expect(unexpected.unexpected).toBe(true);
  });
});
