import { createHash } from 'node:crypto';

/**
 * One history entry as the chain hashes it. `at` is the entry's time in UTC to the microsecond
 * (`2026-10-31T08:00:00.123456Z`) and `data` its jsonb text, both as the database prints them.
 */
export interface ChainEntry {
  id: number;
  seq: number;
  ticketId: string;
  kind: string;
  action: string | null;
  fromStatus: string | null;
  toStatus: string | null;
  actorId: string | null;
  actorName: string | null;
  comment: string | null;
  data: string | null;
  at: string;
  prevHash: Buffer | null;
  hash: Buffer;
}

export type ChainBreak = 'missing_history' | 'out_of_order' | 'link_mismatch' | 'hash_mismatch';

export interface ChainReport {
  ok: boolean;
  entries: number;
  /** The last entry's hash (hex): what a printed dossier quotes so a later copy can be compared. */
  head: string | null;
  /** The first entry that does not match, when `ok` is false. */
  brokenAt?: { seq: number | null; id: number | null; reason: ChainBreak };
}

const SEPARATOR = '\u001f';

/** The bytes an entry's hash covers after the previous hash: its fields joined by U+001F. */
export function entryContent(e: Omit<ChainEntry, 'id' | 'prevHash' | 'hash'>): Buffer {
  const fields = [
    String(e.seq),
    e.ticketId,
    e.kind,
    e.action ?? '',
    e.fromStatus ?? '',
    e.toStatus ?? '',
    e.actorId ?? '',
    e.actorName ?? '',
    e.comment ?? '',
    e.data ?? '',
    e.at,
  ];
  return Buffer.from(fields.join(SEPARATOR), 'utf8');
}

/** sha256(previous hash ‖ content): the rule the database applies as each entry is written. */
export function entryHash(prevHash: Buffer | null, e: Omit<ChainEntry, 'id' | 'prevHash' | 'hash'>): Buffer {
  return createHash('sha256')
    .update(prevHash ?? Buffer.alloc(0))
    .update(entryContent(e))
    .digest();
}

/**
 * Re-computes a ticket's chain from its entries in `seq` order. Every ticket has at least its
 * `created` entry, so an empty history is itself a break.
 */
export function verifyChain(entries: readonly ChainEntry[]): ChainReport {
  if (entries.length === 0) return { ok: false, entries: 0, head: null, brokenAt: { seq: null, id: null, reason: 'missing_history' } };
  let prev: Buffer | null = null;
  for (const [i, e] of entries.entries()) {
    const broken = (reason: ChainBreak): ChainReport => ({
      ok: false,
      entries: entries.length,
      head: entries[entries.length - 1].hash.toString('hex'),
      brokenAt: { seq: e.seq, id: e.id, reason },
    });
    if (e.seq !== i + 1) return broken(i === 0 ? 'missing_history' : 'out_of_order');
    if (!sameBytes(e.prevHash, prev)) return broken('link_mismatch');
    if (!entryHash(prev, e).equals(e.hash)) return broken('hash_mismatch');
    prev = e.hash;
  }
  return { ok: true, entries: entries.length, head: prev!.toString('hex') };
}

function sameBytes(a: Buffer | null, b: Buffer | null): boolean {
  return a === null || b === null ? a === b : a.equals(b);
}
