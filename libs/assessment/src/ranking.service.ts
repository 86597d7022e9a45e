import { Inject, Injectable } from '@nestjs/common';
import { AppConfig, Clock } from '@app/platform';
import { UnitSql } from '@app/org';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource, EntityManager } from 'typeorm';
import { parse as parseYaml } from 'yaml';
import {
  compareEqualTeams,
  DEFAULT_RULES,
  gradeOf,
  Ranked,
  ScoreBreakdown,
  ScoringRules,
  sharedRanks,
  TeamMetrics,
  validateRules,
} from './scoring';
import { TeamLight, teamLight } from './team-light';

export interface RankingEntry {
  unitId: string;
  unitName: string;
  score: number;
  rank: number;
  /** The points of each part (null where a part did not apply), or a year's months. */
  breakdown: ScoreBreakdown | YearBreakdown;
  /** The team's light from its overdue tickets and returned close-outs of the month. */
  light?: TeamLight;
  grade?: string;
  /** The weights of the parts that applied, over which the score is taken. */
  applicable?: number;
  nothingToShow?: boolean;
  metrics?: TeamMetrics;
  provisional?: boolean;
}

/** A row of a month's ranking: the points of each part. */
export interface MonthRankingEntry extends RankingEntry {
  breakdown: ScoreBreakdown;
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
  const rules: ScoringRules = {
    ...DEFAULT_RULES,
    ...doc,
    weights: { ...DEFAULT_RULES.weights, ...(doc.weights ?? {}) },
    deductions: { ...DEFAULT_RULES.deductions, ...(doc.deductions ?? {}) },
    lights: {
      red: { ...DEFAULT_RULES.lights.red, ...(doc.lights?.red ?? {}) },
      yellow: { ...DEFAULT_RULES.lights.yellow, ...(doc.lights?.yellow ?? {}) },
    },
  };
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

  /** A team's light by the configured rule. */
  light(counts: { overdue: number; returned: number }): TeamLight {
    return teamLight(counts, this.rules.lights);
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
          ranked.map((r) => ({
            unit_id: r.unitId,
            score: r.score,
            rank: r.rank,
            breakdown: r.breakdown,
            metrics: { ...r.metrics, applicable: r.applicable, nothingToShow: r.nothingToShow },
          })),
        ),
      ],
    );
  }

  /**
   * A stored month, in rank order, equal scores in the documented order of equal teams. Inside a
   * transaction it is read through that transaction (`m`): on the embedded database every
   * connection waits for an open transaction, so a read on another connection would wait forever.
   */
  async month(townshipId: string, period: string, m: EntityManager = this.db.manager): Promise<MonthRankingEntry[]> {
    const rows = await m.query<
      Array<{
        unit_id: string;
        name: string;
        code: string | null;
        score: number;
        rank: number;
        breakdown: ScoreBreakdown;
        metrics: TeamMetrics & { applicable?: number; nothingToShow?: boolean };
      }>
    >(
      `SELECT r.unit_id, u.name, u.code, r.score::float8 AS score, r.rank, r.breakdown, r.metrics
         FROM ranking r ${UnitSql.join('u', 'r.unit_id')}
        WHERE r.township_id = $1 AND r.period = $2`,
      [townshipId, period],
    );
    const entries = rows.map((r) => {
      const { applicable, nothingToShow, ...metrics } = r.metrics;
      return {
        unitId: r.unit_id,
        unitName: r.name,
        unitCode: r.code,
        score: r.score,
        rank: r.rank,
        grade: gradeOf(r.score, this.rules),
        light: this.light(metrics),
        breakdown: r.breakdown,
        applicable,
        nothingToShow,
        metrics,
      };
    });
    entries.sort((a, b) => a.rank - b.rank || compareEqualTeams(a, b));
    return entries.map(({ unitCode: _code, ...e }) => e);
  }

  /**
   * The year: each team's mean monthly score, ranked; equal means share a rank, listed by more
   * months ranked, then as equal teams are.
   */
  async year(townshipId: string, year: number): Promise<RankingEntry[]> {
    const rows = await this.db.query<
      Array<{ unit_id: string; name: string; code: string | null; period: string; score: number; rank: number }>
    >(
      `SELECT r.unit_id, u.name, u.code, r.period, r.score::float8 AS score, r.rank
         FROM ranking r ${UnitSql.join('u', 'r.unit_id')}
        WHERE r.township_id = $1 AND r.period LIKE $2 ORDER BY r.period`,
      [townshipId, `${year}-%`],
    );
    const teams = new Map<string, { name: string; code: string | null; monthly: YearBreakdown['monthly'] }>();
    for (const r of rows) {
      if (!teams.has(r.unit_id)) teams.set(r.unit_id, { name: r.name, code: r.code, monthly: [] });
      teams.get(r.unit_id)!.monthly.push({ period: r.period, score: r.score, rank: r.rank });
    }
    const entries = [...teams.entries()].map(([unitId, t]) => {
      const avg = Math.round((t.monthly.reduce((a, m) => a + m.score, 0) / t.monthly.length) * 100) / 100;
      return {
        unitId,
        unitName: t.name,
        unitCode: t.code,
        score: avg,
        rank: 0,
        grade: gradeOf(avg, this.rules),
        breakdown: { months: t.monthly.length, averageScore: avg, monthly: t.monthly },
      };
    });
    entries.sort((a, b) => b.score - a.score || b.breakdown.months - a.breakdown.months || compareEqualTeams(a, b));
    const ranks = sharedRanks(entries.map((e) => e.score));
    return entries.map(({ unitCode: _code, ...e }, i) => ({ ...e, rank: ranks[i] }));
  }
}
