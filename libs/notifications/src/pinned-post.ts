import { request as httpRequest, IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, LookupFunction } from 'node:net';

/** The answer of a robot, read up to a small limit (robots answer with a short JSON). */
export interface PostAnswer {
  status: number;
  text: string;
}

/** No answer in time: the message may have arrived, so it is not sent again. */
export class PostTimeout extends Error {
  override name = 'TimeoutError';
}

const MAX_ANSWER_BYTES = 64 * 1024;

/**
 * A lookup that answers every name with the one address already checked: the connection goes to
 * the address the policy approved, so a name that resolves to a public address when checked and
 * to an internal one a moment later (DNS rebinding) cannot redirect the request.
 */
export function pinnedLookup(address: string): LookupFunction {
  const family = isIP(address) === 6 ? 6 : 4;
  return ((_host: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    if (options?.all) callback(null, [{ address, family }]);
    else callback(null, address, family);
  }) as unknown as LookupFunction;
}

/**
 * POSTs a JSON body to `url`, connecting to `address` when given (TLS still checks the
 * certificate against the URL's host name). Redirects are not followed: the answer is returned
 * as it came.
 */
export function postJson(url: URL, body: string, options: { address?: string; timeoutMs: number }): Promise<PostAnswer> {
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<PostAnswer>((resolve, reject) => {
    const req = send(
      url,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        ...(options.address ? { lookup: pinnedLookup(options.address) } : {}),
      },
      (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          if (size < MAX_ANSWER_BYTES) chunks.push(chunk);
          size += chunk.length;
        });
        res.on('end', () => {
          clearTimeout(timer);
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8').slice(0, MAX_ANSWER_BYTES) });
        });
        res.on('error', (e) => {
          clearTimeout(timer);
          reject(e);
        });
      },
    );
    const timer = setTimeout(() => req.destroy(new PostTimeout(`no answer within ${options.timeoutMs} ms`)), options.timeoutMs);
    req.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    req.end(body);
  });
}
