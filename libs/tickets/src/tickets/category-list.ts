import { Injectable } from '@nestjs/common';
import { AppConfig } from '@app/platform';
import { readCategoryConfig } from '../domain/categories';

/** The configured problem categories (config/ticket-categories.yaml, else the seeds' eight). */
@Injectable()
export class CategoryList {
  readonly list: string[];
  private readonly set: Set<string>;
  private readonly beforeAfter: Set<string>;

  constructor(config: AppConfig) {
    const read = readCategoryConfig(config.configDir);
    this.list = read.names;
    this.set = new Set(this.list);
    this.beforeAfter = read.beforeAfter;
  }

  has(category: string): boolean {
    return this.set.has(category);
  }

  /** Whether a close-out of this category must show a photo before and one after the work. */
  needsBeforeAfter(category: string | null): boolean {
    return category !== null && this.beforeAfter.has(category);
  }
}
