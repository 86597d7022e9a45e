import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';

/** The problem categories of the seeds (精准识别, 精准退出, 政策落实 …), used unless config overrides them. */
export const DEFAULT_CATEGORIES = ['精准识别', '精准退出', '政策落实', '精准帮扶', '项目实施', '资金管理', '基础工作', '两不愁三保障'];

/** The configured categories, and those whose close-out needs a photo before and one after the work. */
export interface CategoryConfig {
  names: string[];
  beforeAfter: Set<string>;
}

/**
 * `config/ticket-categories.yaml`: a list of categories, each a name or `{ name, beforeAfter: true }`
 * for a category whose close-out must show a photo marked before and one marked after the work.
 */
export function readCategoryConfig(configDir: string): CategoryConfig {
  const file = join(configDir, 'ticket-categories.yaml');
  if (!existsSync(file)) return { names: DEFAULT_CATEGORIES, beforeAfter: new Set() };
  const doc = parseYaml(readFileSync(file, 'utf8')) as unknown;
  const list = Array.isArray(doc) ? doc : (doc as { categories?: unknown })?.categories;
  const items = Array.isArray(list) ? list.map(categoryItem) : [];
  if (!items.length || items.some((c) => !c)) {
    throw new Error(`${file}: must be a list of category names, each a name or { name: 精准帮扶, beforeAfter: true }`);
  }
  const named = items as Array<{ name: string; beforeAfter: boolean }>;
  return { names: named.map((c) => c.name), beforeAfter: new Set(named.filter((c) => c.beforeAfter).map((c) => c.name)) };
}

function categoryItem(item: unknown): { name: string; beforeAfter: boolean } | undefined {
  if (typeof item === 'string') return item.trim() ? { name: item.trim(), beforeAfter: false } : undefined;
  if (!item || typeof item !== 'object') return undefined;
  const { name, beforeAfter, ...rest } = item as { name?: unknown; beforeAfter?: unknown };
  if (typeof name !== 'string' || !name.trim() || Object.keys(rest).length) return undefined;
  if (beforeAfter !== undefined && typeof beforeAfter !== 'boolean') return undefined;
  return { name: name.trim(), beforeAfter: beforeAfter === true };
}

/** The configured category names (config/ticket-categories.yaml), else the defaults. */
export function loadCategories(configDir: string): string[] {
  return readCategoryConfig(configDir).names;
}

/** The rectification classes: 立行立改 (at once), 限期整改 (by the deadline), 长期坚持 (standing). */
export const CLASSES = ['immediate', 'deadline', 'standing'] as const;
export type RectificationClass = (typeof CLASSES)[number];

export const CLASS_LABELS: Record<RectificationClass, string> = { immediate: '立行立改', deadline: '限期整改', standing: '长期坚持' };

export function parseClass(text: string): RectificationClass | undefined {
  const t = text.trim();
  if (!t) return undefined;
  const found = (Object.entries(CLASS_LABELS) as Array<[RectificationClass, string]>).find(([k, label]) => label === t || k === t);
  return found?.[0];
}

export const SOURCES = ['patrol', 'supervision', 'self_check', 'audit', 'higher_feedback', 'verification'] as const;
export type Source = (typeof SOURCES)[number];

export const SOURCE_LABELS: Record<Source, string> = {
  patrol: '巡察',
  supervision: '督查',
  self_check: '自查',
  audit: '审计',
  higher_feedback: '上级反馈',
  verification: '专项核查',
};
