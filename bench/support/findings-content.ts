/**
 * Findings as inspection groups write them: a problem sentence naming the area, the village
 * group and the households, then details; varied enough that two-character searches such as
 * 危房 hit a realistic share of tickets.
 */
export const AREAS = [
  '危房改造',
  '饮水安全',
  '低保评定',
  '产业帮扶',
  '易地搬迁',
  '教育资助',
  '医疗保障',
  '小额信贷',
  '公益岗位',
  '档案资料',
  '产业奖补',
  '残疾人补贴',
  '养老保险',
  '就业培训',
  '道路硬化',
  '集体经济',
];

const DEFECTS = [
  '排查不到位',
  '底数不清',
  '政策落实不精准',
  '资金拨付滞后',
  '台账与实际不符',
  '公示不规范',
  '跟踪回访缺失',
  '验收流于形式',
  '动态调整不及时',
  '群众知晓率低',
];

const DETAILS = [
  '抽查发现部分农户信息与系统数据不一致',
  '入户走访记录缺少户主签字',
  '存在重复享受政策的情况',
  '个别农户反映问题未及时回应',
  '佐证材料不完整，无法说明整改成效',
  '项目进度明显滞后于计划安排',
  '资金使用明细未按要求张榜公示',
  '帮扶责任人对政策内容掌握不熟',
];

const SURNAMES = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蔡蒋余';
const GIVEN = '建国明华军平伟芳秀英丽强磊洋艳勇杰娟涛超霞刚桂兰志红';

export const MEASURES = [
  '逐户核查，建立问题台账，限期整改到位',
  '组织专题培训，压实帮扶责任，每月跟踪回访',
  '完善档案资料，规范公示程序，接受群众监督',
  '加快资金拨付，倒排工期，确保按时完成',
  '开展交叉检查，举一反三，建立长效机制',
];

export function personName(i: number): string {
  return SURNAMES[i % SURNAMES.length] + GIVEN[(i * 7) % GIVEN.length] + GIVEN[(i * 13 + 3) % GIVEN.length];
}

/** The problem text of finding number `i` (deterministic). */
export function problemText(i: number): string {
  const area = AREAS[(i * 7) % AREAS.length];
  const defect = DEFECTS[(i * 3) % DEFECTS.length];
  const group = (i % 12) + 1;
  const households = (i % 9) + 2;
  const detail = DETAILS[(i * 5) % DETAILS.length];
  return `${area}工作${defect}，第${group}村民小组${households}户存在问题。${detail}；${personName(i)}等户需重点核实。`;
}
