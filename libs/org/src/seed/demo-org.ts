import type { Role } from '@app/platform';
import type { UnitKind } from '../units/unit-kind';

/** A unit of the demo tree with its children. */
export interface DemoUnit {
  name: string;
  kind: UnitKind;
  code?: string;
  children?: DemoUnit[];
}

const villages = (named: string[], total: number, prefix: string): DemoUnit[] => [
  ...named.map((name) => ({ name, kind: 'village' as const })),
  ...Array.from({ length: total - named.length }, (_, i) => ({
    name: `${prefix}第${String(named.length + i + 1).padStart(2, '0')}村`,
    kind: 'village' as const,
  })),
];

const CN_NUMBERS = ['一', '二', '三', '四', '五', '六', '七', '八', '九', '十'];

/**
 * The demo province, built from the seed documents: 宣恩县椿木营乡 (15 villages, six named in
 * the report), 白河县中厂镇 (the "五招 + 五单" town, with its communities) and 凤庆县诗礼乡
 * (14 villages, six named). Unnamed villages and communities are numbered placeholders.
 */
export const DEMO_TREE: DemoUnit = {
  name: '演示省',
  kind: 'province',
  children: [
    {
      name: '宣恩县',
      kind: 'county',
      children: [
        { name: '宣恩县扶贫办', kind: 'office' },
        {
          name: '椿木营乡',
          kind: 'township',
          children: [
            { name: '椿木营乡前线指挥部', kind: 'office' },
            { name: '椿木营乡指导组', kind: 'inspection_group' },
            ...villages(['勾腰坝村', '甘竹坪村', '锣古圈村', '挖断山村', '黄家坪村', '深湾村'], 15, '椿木营乡'),
          ],
        },
      ],
    },
    {
      name: '白河县',
      kind: 'county',
      children: [
        { name: '白河县扶贫办', kind: 'office' },
        {
          name: '中厂镇',
          kind: 'township',
          children: [
            { name: '中厂镇脱贫攻坚办公室', kind: 'office' },
            { name: '中厂镇农业综合服务站', kind: 'office' },
            { name: '中厂镇效能督查组', kind: 'inspection_group' },
            ...CN_NUMBERS.map((n) => ({ name: `中厂镇第${n}社区`, kind: 'village' as const })),
          ],
        },
      ],
    },
    {
      name: '凤庆县',
      kind: 'county',
      children: [
        { name: '凤庆县扶贫领域监督执纪问责工作组', kind: 'inspection_group' },
        {
          name: '诗礼乡',
          kind: 'township',
          children: [
            { name: '诗礼乡扶贫办', kind: 'office' },
            ...villages(['孔兴村', '诗礼村', '三合村', '牌坊村', '乐平村', '河平村'], 14, '诗礼乡'),
          ],
        },
      ],
    },
  ],
};

export const DEMO_PASSWORD = 'Demo@2026';

export interface DemoLogin {
  username: string;
  displayName: string;
  unit: string;
  role: Role;
  what: string;
}

/** One login per role (and a second village team, to see that teams cannot see each other). */
export const DEMO_LOGINS: DemoLogin[] = [
  { username: 'zc_leader', displayName: '中厂镇分管领导', unit: '中厂镇', role: 'leader', what: 'township leader of 中厂镇' },
  {
    username: 'zc_office',
    displayName: '中厂镇脱贫办',
    unit: '中厂镇脱贫攻坚办公室',
    role: 'inspector',
    what: 'township office, verifies close-outs',
  },
  { username: 'zc_team1', displayName: '第一社区工作队', unit: '中厂镇第一社区', role: 'member', what: 'village work team' },
  { username: 'zc_team2', displayName: '第二社区工作队', unit: '中厂镇第二社区', role: 'member', what: 'another village work team' },
  { username: 'zc_inspector', displayName: '中厂镇效能督查组', unit: '中厂镇效能督查组', role: 'inspector', what: 'inspection group' },
  { username: 'bh_viewer', displayName: '白河县扶贫办', unit: '白河县', role: 'viewer', what: 'county office, reads the county' },
  { username: 'cmy_leader', displayName: '椿木营乡指挥长', unit: '椿木营乡', role: 'leader', what: 'township leader of 椿木营乡' },
  { username: 'cmy_team', displayName: '勾腰坝村工作队', unit: '勾腰坝村', role: 'member', what: 'village work team' },
  { username: 'county_admin', displayName: '白河县管理员', unit: '白河县', role: 'admin', what: 'administers 白河县' },
];
