/** The kinds of org unit (API.md), with `province` above counties for a provincial deployment. */
export const UNIT_KINDS = ['province', 'county', 'township', 'village', 'office', 'inspection_group'] as const;
export type UnitKind = (typeof UNIT_KINDS)[number];

export const UNIT_KIND_LABELS: Record<UnitKind, { zh: string; en: string }> = {
  province: { zh: '省', en: 'Province' },
  county: { zh: '县', en: 'County' },
  township: { zh: '乡镇', en: 'Township' },
  village: { zh: '村（社区）', en: 'Village' },
  office: { zh: '站所办', en: 'Office' },
  inspection_group: { zh: '督查组', en: 'Inspection group' },
};

/** Which kind of parent each kind may sit under; `null` means a root of the tree. */
const PARENTS: Record<UnitKind, readonly (UnitKind | null)[]> = {
  province: [null],
  county: [null, 'province'],
  township: ['county'],
  village: ['township'],
  office: ['township', 'county'],
  inspection_group: ['township', 'county'],
};

/** Undefined when a `kind` may sit under `parentKind`, otherwise the reason it may not. */
export function parentRuleViolation(kind: UnitKind, parentKind: UnitKind | null): string | undefined {
  if (PARENTS[kind].includes(parentKind)) return undefined;
  const allowed = PARENTS[kind].map((k) => (k === null ? 'no parent (a root)' : withArticle(k))).join(' or ');
  const actual = parentKind === null ? 'no parent' : withArticle(parentKind);
  return `${withArticle(kind)} must sit under ${allowed}, not ${actual}`;
}

function withArticle(kind: UnitKind): string {
  return `${/^[aeiou]/.test(kind) ? 'an' : 'a'} ${kind}`;
}

/** What people write in the 类型 column of an org sheet, mapped to kinds. */
const KIND_WORDS: Record<string, UnitKind> = {
  省: 'province',
  province: 'province',
  县: 'county',
  区: 'county',
  市: 'county',
  县区: 'county',
  county: 'county',
  乡: 'township',
  镇: 'township',
  乡镇: 'township',
  街道: 'township',
  township: 'township',
  村: 'village',
  社区: 'village',
  村社区: 'village',
  village: 'village',
  站所办: 'office',
  站所: 'office',
  办公室: 'office',
  部门: 'office',
  单位: 'office',
  office: 'office',
  督查组: 'inspection_group',
  巡察组: 'inspection_group',
  指导组: 'inspection_group',
  效能督查组: 'inspection_group',
  inspectiongroup: 'inspection_group',
  inspection_group: 'inspection_group',
};

export function parseUnitKind(text: string): UnitKind | undefined {
  const key = text.replace(/[\s（）()\u3000]/g, '').toLowerCase();
  return KIND_WORDS[key];
}
