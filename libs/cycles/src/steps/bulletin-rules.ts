import { Injectable } from '@nestjs/common';
import { AppConfig } from '@app/platform';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';

/** Who the supervision bulletin praises and criticises (config/bulletin.yaml). */
export interface BulletinRuleSet {
  /** The best N teams are praised (通报表扬) when they reach `praiseMinScore`. */
  praiseTop: number;
  praiseMinScore: number;
  /** The worst N teams are criticised (通报批评) when below `criticiseBelowScore`. */
  criticiseBottom: number;
  criticiseBelowScore: number;
  /** Any team with a ticket overdue by more than this many days is criticised too. */
  overdueDaysLimit: number;
  /** 下步要求: the standing requirements that close the bulletin. */
  nextSteps: string[];
}

export const DEFAULT_BULLETIN_RULES: BulletinRuleSet = {
  praiseTop: 2,
  praiseMinScore: 85,
  criticiseBottom: 1,
  criticiseBelowScore: 70,
  overdueDaysLimit: 30,
  nextSteps: [
    '各工作队要对照问题清单，明确责任人、整改时限和整改措施，整改一处、销号一处。',
    '对逾期未整改的问题，限期整改到位，逾期仍未完成的，按规定追责问责。',
    '按时报送月度自查报告和工作进展，确保反馈问题和自查问题整改到位。',
  ],
};

export function validateBulletinRules(r: BulletinRuleSet): string[] {
  const problems: string[] = [];
  for (const k of ['praiseTop', 'criticiseBottom', 'overdueDaysLimit'] as const) {
    if (!Number.isInteger(r[k]) || r[k] < 0 || r[k] > 100) problems.push(`${k}: must be a whole number 0 to 100`);
  }
  for (const k of ['praiseMinScore', 'criticiseBelowScore'] as const)
    if (!(r[k] >= 0 && r[k] <= 100)) problems.push(`${k}: must be 0 to 100`);
  if (!Array.isArray(r.nextSteps) || r.nextSteps.some((s) => typeof s !== 'string'))
    problems.push('nextSteps: must be a list of sentences');
  return problems;
}

@Injectable()
export class BulletinRules {
  readonly rules: BulletinRuleSet;

  constructor(config: AppConfig) {
    const file = join(config.configDir, 'bulletin.yaml');
    if (!existsSync(file)) {
      this.rules = DEFAULT_BULLETIN_RULES;
      return;
    }
    const doc = (parseYaml(readFileSync(file, 'utf8')) ?? {}) as Partial<BulletinRuleSet>;
    this.rules = { ...DEFAULT_BULLETIN_RULES, ...doc };
    const problems = validateBulletinRules(this.rules);
    if (problems.length) throw new Error(`${file}: ${problems.join('; ')}`);
  }
}
