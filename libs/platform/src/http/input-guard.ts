import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ValidationFailed } from '../errors/domain-error';

/** How deep a request body or query may nest objects and arrays. */
export const MAX_INPUT_DEPTH = 32;

export interface InputProblem {
  field: string;
  message: string;
}

// A NUL, or a UTF-16 surrogate without its partner: PostgreSQL cannot store the first and a
// text column would silently change the second.
// eslint-disable-next-line no-control-regex -- finding NUL is the point
const BAD_TEXT = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function textProblem(text: string): string | undefined {
  const m = BAD_TEXT.exec(text);
  if (!m) return undefined;
  return m[0] === '\u0000' ? 'must not contain a NUL character (\\u0000)' : 'must not contain an unpaired UTF-16 surrogate';
}

/**
 * The first string (or key) in a parsed body or query that no text column can hold, or a value
 * nested deeper than `maxDepth`; `field` is the path as the validation errors name it.
 */
export function findInputProblem(value: unknown, path = '', maxDepth = MAX_INPUT_DEPTH): InputProblem | undefined {
  const stack: { value: unknown; path: string; depth: number }[] = [{ value, path, depth: 0 }];
  while (stack.length) {
    const item = stack.pop()!;
    const v = item.value;
    if (typeof v === 'string') {
      const message = textProblem(v);
      if (message) return { field: item.path || 'body', message };
      continue;
    }
    if (v === null || typeof v !== 'object' || Buffer.isBuffer(v)) continue;
    if (item.depth >= maxDepth) return { field: item.path || 'body', message: `must not nest deeper than ${maxDepth} levels` };
    const entries: [string, unknown][] = Array.isArray(v) ? v.map((e, i) => [String(i), e]) : Object.entries(v);
    for (const [key, child] of entries) {
      const childPath = item.path ? `${item.path}.${key}` : key;
      const keyMessage = textProblem(key);
      if (keyMessage) return { field: childPath, message: `name ${keyMessage}` };
      stack.push({ value: child, path: childPath, depth: item.depth + 1 });
    }
  }
  return undefined;
}

/** The deepest nesting of `[`/`{` in JSON text, counted without parsing (so a deep body cannot overflow the stack). */
export function jsonDepth(text: string, stopAt = Infinity): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++;
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) {
      depth++;
      if (depth > max) {
        max = depth;
        if (max > stopAt) return max;
      }
    } else if (c === 125 || c === 93) depth--;
  }
  return max;
}

function assertClean(request: FastifyRequest): void {
  const problem = findInputProblem(request.query, '') ?? findInputProblem(request.body, '');
  if (problem) throw ValidationFailed.field(problem.field, problem.message);
}

type ParserDone = (error: Error | null, body?: unknown) => void;

/**
 * The JSON body parser: Fastify's own (which refuses `__proto__` keys), behind a depth count so
 * that a body nested past `maxDepth` is a 400 before it is parsed.
 */
export function depthLimitedJsonParser(
  fastify: FastifyInstance,
  maxDepth = MAX_INPUT_DEPTH,
): (request: FastifyRequest, body: Buffer, done: ParserDone) => void {
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  return (request, body, done) => {
    const text = body.toString('utf8');
    if (jsonDepth(text, maxDepth) > maxDepth) {
      done(ValidationFailed.field('body', `must not nest deeper than ${maxDepth} levels`));
      return;
    }
    void parseJson(request, text, done);
  };
}

/**
 * Refuses, before any handler runs, what no handler can store: NUL characters and unpaired
 * surrogates anywhere in a body or query (400 naming the field).
 */
export function registerInputGuards(fastify: FastifyInstance): void {
  fastify.addHook('preValidation', async (request) => {
    assertClean(request);
  });
}
