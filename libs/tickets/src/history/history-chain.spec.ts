import { ChainEntry, entryHash, verifyChain } from './history-chain';

type Fields = Omit<ChainEntry, 'id' | 'prevHash' | 'hash'>;

function chain(...contents: Array<Partial<Fields>>): ChainEntry[] {
  let prev: Buffer | null = null;
  return contents.map((c, i) => {
    const fields: Fields = {
      seq: i + 1,
      ticketId: '6f1c2a3e-0000-4000-8000-000000000001',
      kind: i === 0 ? 'created' : 'transition',
      action: i === 0 ? null : 'start',
      fromStatus: i === 0 ? null : 'open',
      toStatus: i === 0 ? 'open' : 'in_progress',
      actorId: null,
      actorName: '张三',
      comment: null,
      data: null,
      at: `2026-10-0${i + 1}T08:00:00.123456Z`,
      ...c,
    };
    const hash = entryHash(prev, fields);
    const entry: ChainEntry = { ...fields, id: 100 + i, prevHash: prev, hash };
    prev = hash;
    return entry;
  });
}

describe('a ticket history hash chain', () => {
  it('verifies an untouched chain and names its head', () => {
    const entries = chain({}, { comment: '已开工' }, { kind: 'updated', data: '{"to": "李四", "from": null, "field": "responsible"}' });
    expect(verifyChain(entries)).toEqual({ ok: true, entries: 3, head: entries[2].hash.toString('hex') });
  });

  it.each<[string, (e: ChainEntry[]) => ChainEntry[], { seq: number | null; reason: string }]>([
    ['a changed comment', (e) => e.map((x, i) => (i === 1 ? { ...x, comment: '改过的' } : x)), { seq: 2, reason: 'hash_mismatch' }],
    ['a changed actor', (e) => e.map((x, i) => (i === 0 ? { ...x, actorName: '王五' } : x)), { seq: 1, reason: 'hash_mismatch' }],
    [
      'a changed time',
      (e) => e.map((x, i) => (i === 2 ? { ...x, at: '2026-10-03T08:00:00.123457Z' } : x)),
      { seq: 3, reason: 'hash_mismatch' },
    ],
    ['an entry removed from the middle', (e) => [e[0], e[2]], { seq: 3, reason: 'out_of_order' }],
    ['the first entry removed', (e) => e.slice(1), { seq: 2, reason: 'missing_history' }],
    [
      'an entry rewritten and re-hashed, at the next link',
      (e) => {
        const forged = chain({}, { comment: '伪造' })[1];
        return [e[0], { ...forged, prevHash: e[0].hash }, e[2]];
      },
      { seq: 3, reason: 'link_mismatch' },
    ],
    ['a broken link', (e) => e.map((x, i) => (i === 2 ? { ...x, prevHash: Buffer.alloc(32) } : x)), { seq: 3, reason: 'link_mismatch' }],
    ['the whole history wiped', () => [], { seq: null, reason: 'missing_history' }],
  ])('notices %s', (_what, tamper, brokenAt) => {
    const report = verifyChain(tamper(chain({}, { comment: '已开工' }, { action: 'submit', comment: '已完成' })));
    expect(report.ok).toBe(false);
    expect(report.brokenAt).toMatchObject(brokenAt);
  });
});
