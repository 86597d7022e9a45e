import ipaddr from 'ipaddr.js';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { AppConfig } from '../config/app-config';

export type MetricsAccess = { ok: true } | { ok: false; status: 401 | 403; message: string };

function isLoopback(address: string | undefined): boolean {
  if (!address || !ipaddr.isValid(address)) return false;
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  return parsed.range() === 'loopback';
}

const digest = (text: string) => createHash('sha256').update(text).digest();

/**
 * Whether a scrape may read the metrics: with METRICS_TOKEN, the request carries it as a bearer
 * token (Prometheus's `authorization` setting); without it, the request comes from this machine,
 * directly (neither the socket nor, behind a trusted proxy, the forwarded client is elsewhere).
 */
export function metricsAccess(
  config: Pick<AppConfig, 'METRICS_TOKEN'>,
  request: { authorization?: string; socketAddress?: string; clientAddress?: string },
): MetricsAccess {
  if (config.METRICS_TOKEN) {
    const m = /^Bearer\s+(\S+)$/i.exec(request.authorization ?? '');
    if (m && timingSafeEqual(digest(m[1]), digest(config.METRICS_TOKEN))) return { ok: true };
    return { ok: false, status: 401, message: 'The metrics need the bearer token set in METRICS_TOKEN' };
  }
  if (isLoopback(request.socketAddress) && isLoopback(request.clientAddress ?? request.socketAddress)) return { ok: true };
  return {
    ok: false,
    status: 403,
    message: 'The metrics answer only this machine; set METRICS_TOKEN to let a Prometheus elsewhere read them',
  };
}

/** API.md's error shape for a refused scrape, and its headers. */
export function metricsRefusal(access: Exclude<MetricsAccess, { ok: true }>): { headers: Record<string, string>; body: string } {
  const error = access.status === 401 ? 'Unauthorized' : 'Forbidden';
  return {
    headers: {
      'content-type': 'application/json; charset=utf-8',
      ...(access.status === 401 ? { 'www-authenticate': 'Bearer realm="metrics"' } : {}),
    },
    body: JSON.stringify({ statusCode: access.status, error, message: access.message }),
  };
}
