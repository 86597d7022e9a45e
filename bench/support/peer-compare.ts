/**
 * The REST workload's figures in the JSON shape `../shared/peer-redmine/workload.mjs` writes
 * for Redmine (and `project-workload.mjs` for this service), and their comparison leg by leg.
 */
export interface LatencyStats {
  n: number;
  p50_ms?: number;
  p95_ms?: number;
  p99_ms?: number;
  max_ms?: number;
  mean_ms?: number;
}

export interface WorkloadResult {
  tool: string;
  create: {
    sequential: LatencyStats & { issues: number; wall_s: number; issues_per_s: number; failed: number };
    concurrent: LatencyStats & { concurrency: number; issues: number; wall_s: number; issues_per_s: number; failed: number };
  };
  list: {
    page_size: number;
    concurrency_1: LatencyStats & { requests: number; wall_s: number; req_per_s: number; failed: number; avg_issues_per_page: number };
    concurrent: LatencyStats & {
      concurrency: number;
      requests: number;
      wall_s: number;
      req_per_s: number;
      failed: number;
      avg_issues_per_page: number;
    };
  };
  update: LatencyStats & {
    concurrency: number;
    issues: number;
    chains_ok: number;
    failed: number;
    wall_s: number;
    ops_per_s: number;
    issues_per_s: number;
    requests_per_issue?: number;
    puts_ok?: number;
    verified_closed_via_api?: number;
  };
  overdue: {
    today: string;
    count_project: number;
    count_this_run?: number;
    expected_this_run?: number;
    match: boolean;
    query: LatencyStats & { repeats: number; wall_s?: number };
  };
  errors: { count: number; samples: unknown[] };
  total_wall_s: number;
}

/** Throughput legs must reach 20× the peer's; latency legs at most a tenth of its p95. */
export const THROUGHPUT_FACTOR = 20;
export const LATENCY_FACTOR = 10;

interface Leg {
  name: string;
  kind: 'throughput' | 'latency';
  value: (r: WorkloadResult) => number | undefined;
}

/** The legs `compare.py` rates, in its order. */
export const LEGS: Leg[] = [
  { name: 'create, sequential (tickets/s)', kind: 'throughput', value: (r) => r.create.sequential.issues_per_s },
  { name: 'create, sequential p95', kind: 'latency', value: (r) => r.create.sequential.p95_ms },
  { name: 'create, 8 clients (tickets/s)', kind: 'throughput', value: (r) => r.create.concurrent.issues_per_s },
  { name: 'create, 8 clients p95', kind: 'latency', value: (r) => r.create.concurrent.p95_ms },
  { name: 'list 100/page, 1 client (req/s)', kind: 'throughput', value: (r) => r.list.concurrency_1.req_per_s },
  { name: 'list 100/page, 1 client p95', kind: 'latency', value: (r) => r.list.concurrency_1.p95_ms },
  { name: 'list 100/page, 8 clients (req/s)', kind: 'throughput', value: (r) => r.list.concurrent.req_per_s },
  { name: 'list 100/page, 8 clients p95', kind: 'latency', value: (r) => r.list.concurrent.p95_ms },
  { name: 'close-out, 8 clients (tickets closed/s)', kind: 'throughput', value: (r) => r.update.issues_per_s },
  { name: 'close-out, 8 clients p95 per request', kind: 'latency', value: (r) => r.update.p95_ms },
  { name: 'overdue count p95', kind: 'latency', value: (r) => r.overdue.query.p95_ms },
];

export interface LegComparison {
  leg: string;
  kind: Leg['kind'];
  peer?: number;
  ours?: number;
  /** How many times better this service is: throughput ours/peer, latency peer/ours. */
  factor?: number;
  met?: boolean;
}

const known = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v > 0;

/** Each leg of this service against the peer's, with the factor the targets ask for. */
export function compareToPeer(ours: WorkloadResult, peer: WorkloadResult): LegComparison[] {
  return LEGS.map((leg) => {
    const read = (r: WorkloadResult) => {
      try {
        return leg.value(r);
      } catch {
        return undefined;
      }
    };
    const o = read(ours);
    const p = read(peer);
    if (!known(o) || !known(p)) return { leg: leg.name, kind: leg.kind, peer: p, ours: o };
    const factor = leg.kind === 'throughput' ? o / p : p / o;
    const needed = leg.kind === 'throughput' ? THROUGHPUT_FACTOR : LATENCY_FACTOR;
    return { leg: leg.name, kind: leg.kind, peer: p, ours: o, factor, met: factor >= needed };
  });
}

const figure = (kind: Leg['kind'], v: number | undefined) =>
  v === undefined ? 'n/a' : kind === 'latency' ? `${v.toFixed(v < 100 ? 1 : 0)} ms` : `${v.toFixed(v < 100 ? 2 : 1)}/s`;

/** The comparison as table rows: leg, peer, this service, factor, target, met. */
export function comparisonRows(rows: LegComparison[]): string[][] {
  return rows.map((r) => [
    r.leg,
    figure(r.kind, r.peer),
    figure(r.kind, r.ours),
    r.factor === undefined ? 'n/a' : `${r.factor.toFixed(2)}×`,
    r.kind === 'throughput' ? `≥ ${THROUGHPUT_FACTOR}× its throughput` : `≤ 1/${LATENCY_FACTOR} of its p95`,
    r.met === undefined ? 'n/a' : r.met ? 'met' : 'MISSED',
  ]);
}

/** A result file as workload.mjs writes it: one JSON object (the last line, should there be more). */
export function parseWorkloadResult(text: string, source: string): WorkloadResult {
  const line = text.trim().split('\n').pop() ?? '';
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    throw new Error(`${source}: not a JSON result of workload.mjs`);
  }
  const r = parsed as Partial<WorkloadResult> & { error?: string };
  if (r.error) throw new Error(`${source}: the run failed (${r.error})`);
  if (!r.create?.sequential || !r.list?.concurrency_1 || !r.update || !r.overdue?.query) {
    throw new Error(`${source}: lacks the create, list, update or overdue figures of workload.mjs`);
  }
  return r as WorkloadResult;
}
