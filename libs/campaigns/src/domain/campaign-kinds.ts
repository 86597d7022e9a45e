import type { RectificationClass } from '@app/tickets';

/** The kinds of verification campaign (专项核查): 识别, 退出, 易地搬迁, 项目资金. */
export const CAMPAIGN_KINDS = ['identification', 'exit', 'relocation', 'funds'] as const;
export type CampaignKind = (typeof CAMPAIGN_KINDS)[number];

export const CAMPAIGN_KIND_LABELS: Record<CampaignKind, { zh: string; en: string }> = {
  identification: { zh: '识别核查', en: 'Identification check' },
  exit: { zh: '退出核查', en: 'Exit check' },
  relocation: { zh: '易地扶贫搬迁核查', en: 'Relocation check' },
  funds: { zh: '扶贫项目资金核查', en: 'Project funds check' },
};

/** A household's standing on the roster (属性): 建档立卡, 已脱贫, 非建档立卡. */
export const ATTRIBUTES = ['registered', 'exited', 'non_registered'] as const;
export type HouseholdAttribute = (typeof ATTRIBUTES)[number];

export const ATTRIBUTE_LABELS: Record<HouseholdAttribute, { zh: string; en: string }> = {
  registered: { zh: '建档立卡', en: 'registered' },
  exited: { zh: '已脱贫', en: 'exited' },
  non_registered: { zh: '非建档立卡', en: 'not registered' },
};

/** What the 属性 column says, as offices write it. */
const ATTRIBUTE_WORDS: Record<string, HouseholdAttribute> = {
  建档立卡: 'registered',
  建档立卡户: 'registered',
  建档立卡贫困户: 'registered',
  贫困户: 'registered',
  未脱贫: 'registered',
  registered: 'registered',
  已脱贫: 'exited',
  已脱贫户: 'exited',
  脱贫户: 'exited',
  脱贫: 'exited',
  exited: 'exited',
  非建档立卡: 'non_registered',
  非建档立卡户: 'non_registered',
  非贫困户: 'non_registered',
  一般户: 'non_registered',
  non_registered: 'non_registered',
};

export function parseAttribute(text: string): HouseholdAttribute | undefined {
  return ATTRIBUTE_WORDS[text.replace(/[\s\u3000]/g, '').toLowerCase()];
}

/** The verdict of a household check (核查结论). */
export const VERDICTS = ['correct', 'wrongly_included', 'wrongly_excluded', 'wrongly_exited', 'returned_to_poverty'] as const;
export type Verdict = (typeof VERDICTS)[number];
export type WrongVerdict = Exclude<Verdict, 'correct'>;

export const VERDICT_LABELS: Record<Verdict, { zh: string; en: string }> = {
  correct: { zh: '准确', en: 'correct' },
  wrongly_included: { zh: '错评', en: 'wrongly included' },
  wrongly_excluded: { zh: '漏评', en: 'wrongly excluded' },
  wrongly_exited: { zh: '错退', en: 'wrongly exited' },
  returned_to_poverty: { zh: '返贫', en: 'returned to poverty' },
};

/** The problem category (问题类别) of the ticket a wrong verdict opens. */
export const VERDICT_CATEGORIES: Record<WrongVerdict, string> = {
  wrongly_included: '精准识别',
  wrongly_excluded: '精准识别',
  wrongly_exited: '精准退出',
  returned_to_poverty: '精准帮扶',
};

/**
 * A campaign's rules: villages drawn a month, households a village, how many rounds (this
 * campaign and the ones before it of the same unit and kind) a household is not drawn twice in,
 * strata by 属性, and the rectification class and days its tickets get.
 */
export interface CampaignRules {
  villages: number;
  householdsPerVillage: number;
  noRepeatWithin: number;
  stratify: boolean;
  rectificationClass: RectificationClass;
  deadlineDays: number;
}

export const DEFAULT_RULES: CampaignRules = {
  villages: 2,
  householdsPerVillage: 20,
  noRepeatWithin: 1,
  stratify: false,
  rectificationClass: 'deadline',
  deadlineDays: 30,
};

export function withDefaults(rules: Partial<CampaignRules> | undefined): CampaignRules {
  const out = { ...DEFAULT_RULES };
  for (const [k, v] of Object.entries(rules ?? {})) if (v !== undefined && k in out) (out as Record<string, unknown>)[k] = v;
  return out;
}
