import { Inject, Injectable } from '@nestjs/common';
import { AppConfig, Clock } from '@app/platform';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource, EntityManager } from 'typeorm';
import { parse as parseYaml } from 'yaml';
import { DEFAULT_RULES, Ranked, ScoreBreakdown, ScoringRules, TeamMetrics, validateRules } from './scoring';

export interface RankingEntry {
  unitId: string;
  unitName: string;
  score: number;
  rank: number;
  breakdown: ScoreBreakdown | YearBreakdown;
  metrics?: TeamMetrics;
  provisional?: boolean;
}

export interface YearBreakdown {
  months: number;
  averageScore: number;
  monthly: Array<{ period: string; score: number; rank: number }>;
}

/** Reads config/ranking.yaml over the defaults; a bad file stops the start naming the field. */
export function loadScoringRules(configDir: string): ScoringRules {
  const file = join(configDir, 'ranking.yaml');
  if (!existsSync(file)) return DEFAULT_RULES;
  const doc = (parseYaml(readFileSync(file, 'utf8')) ?? {}) as Partial<ScoringRules>;
  const rules: ScoringRules = { ...DEFAULT_RULES, ...doc, weights: { ...DEFAULT_RULES.weights, ...(doc.weights ?? {}) } };
  const problems = validateRules(rules);
  if (problems.length) throw new Error(`${file}: ${problems.join('; ')}`);
  return rules;
}

/**
 * Monthly rankings (排名) and the year-end roll-up (年终考核): the report step stores each
 * month's ranking; the year is the mean of the months.
 */
@Injectable()
export class RankingService {
  readonly rules: ScoringRules;

  constructor(
    @Inject(DataSource) private readonly db: DataSource,
    private readonly clock: Clock,
    config: AppConfig,
  ) {
    this.rules = loadScoringRules(config.configDir);
  }

  async store(m: EntityManager, townshipId: string, period: string, runId: string, ranked: Ranked[]): Promise<void> {
    if (!ranked.length) return;
    await m.query(
      `INSERT INTO ranking (township_id, period, unit_id, score, rank, breakdown, metrics, run_id, created_at)
       SELECT $1, $2, r.unit_id, r.score, r.rank, r.breakdown, r.metrics, $3, $4
         FROM jsonb_to_recordset($5::jsonb) AS r(unit_id uuid, score numeric, rank int, breakdown jsonb, metrics jsonb)`,
      [
        townshipId,
        period,
        runId,
        this.clock.now(),
        JSON.stringify(
          ranked.map((r) => ({ unit_id: r.unitId, score: r.score, rank: r.rank, breakdown: r.breakdown, metrics: r.metrics })),
        ),
      ],
    );
  }

  async month(townshipId: string, period: string): Promise<RankingEntry[]> {
    const rows = await this.db.query<
      Array<{ unit_id: string; name: string; score: number; rank: number; breakdown: ScoreBreakdown; metrics: TeamMetrics }>
    >(
      `SELECT r.unit_id, u.name, r.score::float8 AS score, r.rank, r.breakdown, r.metrics
         FROM ranking r JOIN org_unit u ON u.id = r.unit_id
        WHERE r.township_id = $1 AND r.period = $2 ORDER BY r.rank`,
      [townshipId, period],
    );
    return rows.map((r) => ({
      unitId: r.unit_id,
      unitName: r.name,
      score: r.score,
      rank: r.rank,
      breakdown: r.breakdown,
      metrics: r.metrics,
    }));
  }

  /** The year: each team's mean monthly score, ranked; ties go to more months ranked, then name. */
  async year(townshipId: string, year: number): Promise<RankingEntry[]> {
    const rows = await this.db.query<Array<{ unit_id: string; name: string; period: string; score: number; rank: number }>>(
      `SELECT r.unit_id, u.name, r.period, r.score::float8 AS score, r.rank
         FROM ranking r JOIN org_unit u ON u.id = r.unit_id
        WHERE r.township_id = $1 AND r.period LIKE $2 ORDER BY r.period`,
      [townshipId, `${year}-%`],
    );
    const teams = new Map<string, { name: string; monthly: YearBreakdown['monthly'] }>();
    for (const r of rows) {
      if (!teams.has(r.unit_id)) teams.set(r.unit_id, { name: r.name, monthly: [] });
      teams.get(r.unit_id)!.monthly.push({ period: r.period, score: r.score, rank: r.rank });
    }
    const entries = [...teams.entries()].map(([unitId, t]) => {
      const avg = Math.round((t.monthly.reduce((a, m) => a + m.score, 0) / t.monthly.length) * 100) / 100;
      return {
        unitId,
        unitName: t.name,
        score: avg,
        rank: 0,
        breakdown: { months: t.monthly.length, averageScore: avg, monthly: t.monthly },
      };
    });
    entries.sort(
      (a, b) =>
        b.score - a.score ||
        b.breakdown.months - a.breakdown.months ||
        a.unitName.localeCompare(b.unitName, 'zh-Hans-CN') ||
        (a.unitId < b.unitId ? -1 : 1),
    );
    entries.forEach((e, i) => (e.rank = i + 1));
    return entries;
  }
}
