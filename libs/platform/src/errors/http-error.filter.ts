import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import { STATUS_CODES } from 'node:http';
import { DomainError, ErrorCode, ErrorDetails, RateLimited } from './domain-error';
import {
  classifyOutage,
  PG_DEADLOCK,
  PG_LOCK_NOT_AVAILABLE,
  PG_SERIALIZATION_FAILURE,
  PG_UNIQUE_VIOLATION,
  sqlState,
} from './infrastructure';

/** The one error shape of API.md. */
export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  details?: ErrorDetails;
}

export function statusOf(code: ErrorCode): number {
  switch (code) {
    case ErrorCode.Validation:
      return HttpStatus.BAD_REQUEST;
    case ErrorCode.Unauthenticated:
      return HttpStatus.UNAUTHORIZED;
    case ErrorCode.Forbidden:
      return HttpStatus.FORBIDDEN;
    case ErrorCode.NotFound:
      return HttpStatus.NOT_FOUND;
    case ErrorCode.Conflict:
    case ErrorCode.IllegalTransition:
      return HttpStatus.CONFLICT;
    case ErrorCode.PayloadTooLarge:
      return HttpStatus.PAYLOAD_TOO_LARGE;
    case ErrorCode.UnsupportedMediaType:
      return HttpStatus.UNSUPPORTED_MEDIA_TYPE;
    case ErrorCode.ImportRejected:
      return HttpStatus.UNPROCESSABLE_ENTITY;
    case ErrorCode.RateLimited:
      return HttpStatus.TOO_MANY_REQUESTS;
    case ErrorCode.Unavailable:
      return HttpStatus.SERVICE_UNAVAILABLE;
    default: {
      const unreachable: never = code;
      throw new Error(`No HTTP status for error code ${String(unreachable)}`);
    }
  }
}

function body(statusCode: number, message: string, details?: ErrorDetails): ErrorBody {
  const out: ErrorBody = { statusCode, error: STATUS_CODES[statusCode] ?? 'Error', message };
  if (details && Object.keys(details).length) out.details = details;
  return out;
}

// Fastify raises these before a handler runs (body parsing, multipart limits).
const FASTIFY_STATUS: Record<string, number> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 413,
  FST_REQ_FILE_TOO_LARGE: 413,
  FST_FILES_LIMIT: 413,
  FST_PARTS_LIMIT: 413,
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 415,
  FST_INVALID_MULTIPART_CONTENT_TYPE: 415,
  FST_ERR_CTP_EMPTY_JSON_BODY: 400,
  FST_ERR_CTP_INVALID_JSON_BODY: 400,
};

export interface MappedError {
  body: ErrorBody;
  headers: Record<string, string>;
  /** Unexpected: worth a stack trace in the log. */
  unexpected: boolean;
}

/** Maps anything thrown while serving a request to the API's error shape. */
export function mapError(exception: unknown): MappedError {
  const headers: Record<string, string> = {};
  if (exception instanceof DomainError) {
    if (exception instanceof RateLimited) headers['retry-after'] = String(exception.retryAfterSeconds);
    if (exception.code === ErrorCode.Unavailable) headers['retry-after'] = '5';
    return { body: body(statusOf(exception.code), exception.message, exception.details), headers, unexpected: false };
  }
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const res = exception.getResponse();
    let message = exception.message;
    let details: ErrorDetails | undefined;
    if (typeof res === 'object' && res !== null) {
      const r = res as { message?: unknown; details?: ErrorDetails };
      if (typeof r.message === 'string') message = r.message;
      else if (Array.isArray(r.message)) message = r.message.join('; ');
      details = r.details;
    }
    return { body: body(status, message, details), headers, unexpected: status >= 500 };
  }
  const fastifyCode = (exception as { code?: unknown })?.code;
  if (typeof fastifyCode === 'string' && FASTIFY_STATUS[fastifyCode]) {
    return { body: body(FASTIFY_STATUS[fastifyCode], (exception as Error).message), headers, unexpected: false };
  }
  if (exception instanceof SyntaxError && /JSON/.test(exception.message)) {
    return { body: body(400, `The request body is not valid JSON: ${exception.message}`), headers, unexpected: false };
  }
  const outage = classifyOutage(exception);
  if (outage) {
    headers['retry-after'] = '5';
    const what = outage === 'database' ? 'The database' : 'The job queue (Redis)';
    return { body: body(503, `${what} is not reachable right now; try again shortly`), headers, unexpected: false };
  }
  const state = sqlState(exception);
  if (state === PG_UNIQUE_VIOLATION) {
    return { body: body(409, 'This conflicts with a record that already exists'), headers, unexpected: false };
  }
  // Class 22 (data exception): a value the checks at the edge let through that the database cannot take.
  if (state?.startsWith('22')) {
    return { body: body(400, 'A value in the request is out of range or cannot be stored'), headers, unexpected: true };
  }
  if (state === PG_SERIALIZATION_FAILURE || state === PG_DEADLOCK || state === PG_LOCK_NOT_AVAILABLE) {
    return { body: body(409, 'Another change to the same record won; reload and try again'), headers, unexpected: false };
  }
  return { body: body(500, 'Internal server error'), headers, unexpected: true };
}

interface ReplyLike {
  status(code: number): ReplyLike;
  header(name: string, value: string): ReplyLike;
  send(payload: unknown): unknown;
  sent?: boolean;
}

@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpError');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const reply = http.getResponse<ReplyLike>();
    const request = http.getRequest<{ id?: string; method?: string; url?: string }>();
    const mapped = mapError(exception);
    if (mapped.unexpected) {
      this.logger.error(`${request?.method} ${request?.url} failed [${request?.id}]: ${(exception as Error)?.stack ?? String(exception)}`);
    } else if (mapped.body.statusCode === 503) {
      this.logger.warn(`${request?.method} ${request?.url} → 503: ${(exception as Error)?.message}`);
    }
    if (reply.sent) return;
    let r = reply.status(mapped.body.statusCode);
    for (const [k, v] of Object.entries(mapped.headers)) r = r.header(k, v);
    r.send(mapped.body);
  }
}
