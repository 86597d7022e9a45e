import { ArgumentsHost, Catch, ExceptionFilter, Injectable, Logger } from '@nestjs/common';
import { mapError, ValidationFailed } from '@app/platform';
import { stepRefusal } from './cycle-steps';
import { fieldErrors } from './form-errors';
import { ConsoleReply, ConsoleRequest, frameOf, SignInRequired } from './session';
import { ConsoleViews } from './views';

/** A path on this site to come back to after signing in; anything else goes home. */
export function safeNext(next: unknown): string {
  return typeof next === 'string' && /^\/(?!\/)[^\s\\]*$/.test(next) && !next.startsWith('/login') ? next : '/';
}

/**
 * Errors on console routes become pages with the API's error shape (status, error, message and
 * details such as the allowed actions or the bad rows); without a session, the sign-in page.
 */
@Catch()
@Injectable()
export class ConsoleErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('Console');

  constructor(private readonly views: ConsoleViews) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const req = http.getRequest<ConsoleRequest & { method: string }>();
    const reply = http.getResponse<ConsoleReply>();
    if (reply.sent) return;
    const mapped = mapError(exception);
    if (exception instanceof SignInRequired || mapped.body.statusCode === 401) {
      const next = req.method === 'GET' ? `?next=${encodeURIComponent(req.url)}` : '';
      if (req.headers['hx-request']) reply.header('hx-redirect', `/login${next}`).code(204).send();
      else reply.redirect(`/login${next}`, 303);
      return;
    }
    if (mapped.unexpected) this.logger.error(`${req.method} ${req.url} failed: ${(exception as Error)?.stack ?? String(exception)}`);
    for (const [k, v] of Object.entries(mapped.headers)) reply.header(k, v);
    const frame = frameOf(req, reply);
    const t = this.views.dictionary(frame.lang);
    const { statusCode, error, message, details } = mapped.body;
    // A refused form names its fields with their messages; a refused edit (403) names only the fields.
    const fields =
      Array.isArray(details?.fields) && details.fields.every((f) => typeof (f as { field?: unknown })?.field === 'string')
        ? (details.fields as Array<{ field: string; messages: string[] }>)
        : undefined;
    // The services speak English; a Chinese page keeps their words out and says what it can in Chinese.
    const english = frame.lang === 'zh' && /[A-Za-z]{3,}/.test(String(message));
    const page = {
      title: t.errors[statusCode] ?? t.error,
      statusCode,
      error: frame.lang === 'zh' ? '' : error,
      message: english ? '' : message,
      rows: Array.isArray(details?.rows) ? details.rows : undefined,
      // A cycle step refused names what it waits for; an illegal move what is allowed now, which may be nothing.
      stepRefusal: stepRefusal(details, t),
      illegal: Array.isArray(details?.allowed) && !Array.isArray(details?.missing),
      allowed: details?.allowed,
      fields: fields && fieldErrors(new ValidationFailed(String(message), fields), t, frame.lang),
    };
    // An htmx request that fails shows the error page's main part in place of the page's.
    this.views.sendError(reply, frame, page, Boolean(req.headers['hx-request']));
  }
}
