import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional, ApiResponse } from '@nestjs/swagger';
import type { OpenAPIObject } from '@nestjs/swagger';
import { API_SCHEMAS } from './openapi-schemas';

type SchemaObject = Record<string, unknown>;
type Operation = {
  parameters?: Array<{ in: string }>;
  requestBody?: { content?: Record<string, unknown> };
  security?: unknown[];
  responses: Record<string, { description: string; content?: Record<string, { schema: SchemaObject }>; headers?: unknown }>;
};

/** API.md's error shape, the body of every 4xx and 5xx answer. */
export class ErrorBody {
  @ApiProperty({ example: 404, description: 'the HTTP status' }) statusCode!: number;
  @ApiProperty({ example: 'Not Found', description: 'the status as words' }) error!: string;
  @ApiProperty({ example: 'Ticket 6f1c… was not found', description: 'what went wrong, for a person' }) message!: string;
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description:
      '400: `fields` [{ field, messages }]; 403: `reason`; 409: `allowed` (the actions allowed now); 422: `rows` [{ row, column, message }]',
  })
  details?: Record<string, unknown>;
}

/** What each error status means on this API (API.md, "Errors"). */
export const ERROR_MEANINGS: Record<number, string> = {
  400: 'malformed input; `details.fields` names the failing fields',
  401: 'no token, or a bad or expired one',
  403: 'signed in, but not allowed to do this (`details.reason` where four eyes refuse)',
  404: 'no such record, or one outside the caller’s scope',
  409: 'an illegal state change (`details.allowed` lists the actions allowed now) or a conflicting concurrent write',
  413: 'the file or body is too large',
  415: 'a file type that is not accepted',
  422: 'an import with bad rows: `details.rows` lists every one; nothing was written',
  429: 'too many requests; `Retry-After` says when to come back',
  503: 'a dependency is unavailable (the database, the queue, the PDF printer)',
};

const ERROR_REF = { $ref: '#/components/schemas/ErrorBody' };

/** The error answers a route gives besides the ones every route has (401, 429, and 400/404 where it takes input or an id). */
export function ApiErrors(...statuses: number[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ...statuses.map((status) => ApiResponse({ status, description: ERROR_MEANINGS[status] ?? 'error', schema: ERROR_REF })),
  );
}

/** The success answer of a route, by a schema of API_SCHEMAS or a schema of its own. */
export function ApiResult(schema: keyof typeof API_SCHEMAS | SchemaObject, status = 200, description = 'done'): MethodDecorator {
  if (status === 204) return applyDecorators(ApiResponse({ status, description }));
  const resolved = typeof schema === 'string' ? { $ref: `#/components/schemas/${schema}` } : schema;
  return applyDecorators(ApiResponse({ status, description, schema: resolved }));
}

/** A file answer (a download or a rendering) of the given media types. */
export function ApiFile(mediaTypes: string[], description = 'the file'): MethodDecorator {
  const content = Object.fromEntries(mediaTypes.map((m) => [m, { schema: { type: 'string', format: 'binary' } }]));
  return applyDecorators(ApiResponse({ status: 200, description, content }));
}

/** A multipart upload of one `file` field (and nothing else the route reads from the body). */
export const MULTIPART_FILE_BODY = {
  schema: { type: 'object', required: ['file'], properties: { file: { type: 'string', format: 'binary' } } },
};

function addError(op: Operation, status: number): void {
  const key = String(status);
  const given = op.responses[key];
  if (given) {
    // A route's own description of the error is kept; its body is the error shape, in JSON
    // even where the route answers files.
    given.content = { 'application/json': { schema: ERROR_REF } };
    return;
  }
  op.responses[key] = {
    description: ERROR_MEANINGS[status],
    content: { 'application/json': { schema: ERROR_REF } },
    ...(status === 429 ? { headers: { 'Retry-After': { description: 'seconds to wait', schema: { type: 'integer' } } } } : {}),
  };
}

/**
 * Adds what every operation answers to the generated document: 429 (every route is rate
 * limited), 401 on the routes that need a token, 400 where a route takes input, 404 where its
 * path names a record, 413 and 415 on uploads; and the shared schemas.
 */
export function completeOpenApi(document: OpenAPIObject): OpenAPIObject {
  const components = (document.components ??= {});
  components.schemas = { ...(API_SCHEMAS as Record<string, never>), ...(components.schemas ?? {}) };
  for (const [path, item] of Object.entries(document.paths)) {
    for (const op of Object.values(item as Record<string, Operation>)) {
      if (!op || typeof op !== 'object' || !op.responses) continue;
      for (const status of Object.keys(op.responses).filter((s) => /^[45]\d\d$/.test(s))) addError(op, Number(status));
      addError(op, 429);
      if (op.security?.length) addError(op, 401);
      const multipart = Boolean(op.requestBody?.content?.['multipart/form-data']);
      if (op.parameters?.length || op.requestBody) addError(op, 400);
      if (path.includes('{')) addError(op, 404);
      if (multipart) {
        addError(op, 413);
        addError(op, 415);
      }
    }
  }
  return document;
}
