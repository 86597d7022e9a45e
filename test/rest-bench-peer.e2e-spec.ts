import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { comparisonRows, compareToPeer, parseWorkloadResult, WorkloadResult } from '../bench/support/peer-compare';

/**
 * The REST benchmark's rating of this service against Redmine's result file, as workload.mjs
 * writes it. The sample's throughputs and p95s are the Redmine column of the peer README's
 * table (the close-out's p95 per request, which the table does not give, and the other
 * percentiles are filled in).
 */
describe('the REST benchmark against a Redmine result', () => {
  const file = join(__dirname, 'fixtures/peer/redmine-result.json');
  const redmine = parseWorkloadResult(readFileSync(file, 'utf8'), file);

  /** This service's figures: Redmine's, with the given throughputs and p95s. */
  const ours = (f: { perS: number[]; p95: number[] }): WorkloadResult => {
    const r = structuredClone(redmine);
    [r.create.sequential.issues_per_s, r.create.concurrent.issues_per_s, r.list.concurrency_1.req_per_s] = f.perS;
    [r.list.concurrent.req_per_s, r.update.issues_per_s] = f.perS.slice(3);
    [r.create.sequential.p95_ms, r.create.concurrent.p95_ms, r.list.concurrency_1.p95_ms] = f.p95;
    [r.list.concurrent.p95_ms, r.update.p95_ms, r.overdue.query.p95_ms] = f.p95.slice(3);
    return r;
  };

  it('rates throughput as ours over theirs and p95 as theirs over ours, against 20× and 1/10', () => {
    // Creates: 210/s is 20× Redmine's 10.5/s; 200/s is not. Overdue p95: 8.9 ms is a tenth of 89 ms.
    const rows = compareToPeer(ours({ perS: [210, 400, 73.8, 116, 147], p95: [12.9, 100, 17, 100, 70.2, 8.9] }), redmine);
    const byLeg = Object.fromEntries(rows.map((r) => [r.leg, r]));
    expect(byLeg['create, sequential (tickets/s)']).toMatchObject({ peer: 10.5, ours: 210, factor: 20, met: true });
    expect(byLeg['create, 8 clients (tickets/s)']).toMatchObject({ peer: 20.6, ours: 400, met: false });
    expect(byLeg['create, 8 clients (tickets/s)'].factor).toBeCloseTo(19.42, 2);
    expect(byLeg['list 100/page, 1 client (req/s)'].factor).toBeCloseTo(75.31, 2);
    expect(byLeg['close-out, 8 clients (tickets closed/s)'].factor).toBeCloseTo(20.14, 2);
    expect(byLeg['create, sequential p95']).toMatchObject({ peer: 129, ours: 12.9, met: true });
    expect(byLeg['create, sequential p95'].factor).toBeCloseTo(10, 6);
    expect(byLeg['create, 8 clients p95']).toMatchObject({ factor: 8.51, met: false });
    expect(byLeg['list 100/page, 8 clients p95']).toMatchObject({ factor: 102, met: true });
    expect(byLeg['overdue count p95']).toMatchObject({ peer: 89, ours: 8.9, met: true });
    expect(rows.map((r) => r.leg)).toHaveLength(11);

    const printed = comparisonRows(rows);
    expect(printed[0]).toEqual(['create, sequential (tickets/s)', '10.50/s', '210.0/s', '20.00×', '≥ 20× its throughput', 'met']);
    expect(printed.find((r) => r[0] === 'create, 8 clients p95')).toEqual([
      'create, 8 clients p95',
      '851 ms',
      '100 ms',
      '8.51×',
      '≤ 1/10 of its p95',
      'MISSED',
    ]);
  });

  it('leaves a leg unrated when either side has no figure for it', () => {
    const r = ours({ perS: [210, 400, 73.8, 116, 0], p95: [12.9, 100, 17, 100, 70.2, 8.9] });
    delete r.overdue.query.p95_ms;
    const rows = compareToPeer(r, redmine);
    expect(rows.find((x) => x.leg === 'close-out, 8 clients (tickets closed/s)')).toEqual({
      leg: 'close-out, 8 clients (tickets closed/s)',
      kind: 'throughput',
      peer: 7.3,
      ours: 0,
    });
    const overdue = comparisonRows(rows).find((x) => x[0] === 'overdue count p95');
    expect(overdue).toEqual(['overdue count p95', '89.0 ms', 'n/a', 'n/a', '≤ 1/10 of its p95', 'n/a']);
  });

  it('refuses a file that is not a workload result, naming it', () => {
    expect(() => parseWorkloadResult('not json', 'r.json')).toThrow('r.json: not a JSON result of workload.mjs');
    expect(() => parseWorkloadResult('{"error":"ECONNREFUSED","errors":{}}', 'r.json')).toThrow('r.json: the run failed (ECONNREFUSED)');
    expect(() => parseWorkloadResult('{"create":{}}', 'r.json')).toThrow(/lacks the create, list, update or overdue figures/);
    // Progress lines before the result, as a shell redirect of both streams leaves them.
    expect(parseWorkloadResult(`[0.1s] discovered\n${JSON.stringify(redmine)}`, 'r.json').create.sequential.issues_per_s).toBe(10.5);
  });
});
