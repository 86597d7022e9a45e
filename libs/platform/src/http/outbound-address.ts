import { Injectable } from '@nestjs/common';
import ipaddr from 'ipaddr.js';
import { lookup } from 'node:dns/promises';
import { AppConfig } from '../config/app-config';

/** What a check of an outbound URL found. */
export type OutboundVerdict =
  | { ok: true; addresses: string[]; allowListed: boolean }
  /** The name does not resolve (yet): accepted, and checked again before every send. */
  | { ok: true; addresses: []; unresolved: true; allowListed: false }
  | { ok: false; reason: string };

/**
 * Whether an address is on the public internet. Loopback, private (RFC 1918, ULA), link-local,
 * carrier-grade NAT, multicast, unspecified, broadcast, documentation and other reserved
 * ranges are not; an IPv4-mapped IPv6 address is judged as the IPv4 address it carries.
 */
export function isPublicAddress(text: string): boolean {
  if (!ipaddr.isValid(text)) return false;
  let address = ipaddr.parse(text);
  if (address.kind() === 'ipv6') {
    const v6 = address as ipaddr.IPv6;
    if (v6.isIPv4MappedAddress()) address = v6.toIPv4Address();
  }
  return address.range() === 'unicast';
}

type Resolve = (host: string) => Promise<string[]>;

const systemResolve: Resolve = async (host) => (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);

/**
 * Checks the URLs the service calls on a user's behalf (robot webhooks): http(s) only, and a
 * host that resolves to public addresses only, unless an administrator lists the host in
 * WEBHOOK_ALLOWED_HOSTS (an intranet robot).
 */
@Injectable()
export class OutboundAddressPolicy {
  private readonly allowed: Set<string>;

  constructor(
    config: AppConfig,
    private readonly resolve: Resolve = systemResolve,
  ) {
    this.allowed = new Set(config.allowedWebhookHosts);
  }

  async check(url: string): Promise<OutboundVerdict> {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return { ok: false, reason: 'is not a URL' };
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return { ok: false, reason: 'must be an http or https URL' };
    if (parsed.username || parsed.password) return { ok: false, reason: 'must not carry a user name or password' };
    const host = parsed.hostname.replace(/^\[|\]$/g, '').toLowerCase();
    if (this.allowed.has(host)) return { ok: true, addresses: [], allowListed: true };
    const internal = (address: string) => ({
      ok: false as const,
      reason: `points to ${address}, an internal address (loopback, private, link-local or reserved); an administrator may allow the host in WEBHOOK_ALLOWED_HOSTS`,
    });
    if (ipaddr.isValid(host)) return isPublicAddress(host) ? { ok: true, addresses: [host], allowListed: false } : internal(host);
    let addresses: string[];
    try {
      addresses = await this.resolve(host);
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'ENODATA' || code === 'ESERVFAIL') {
        return { ok: true, addresses: [], unresolved: true, allowListed: false };
      }
      throw e;
    }
    const bad = addresses.find((a) => !isPublicAddress(a));
    if (bad) return internal(bad);
    return { ok: true, addresses, allowListed: false };
  }
}
