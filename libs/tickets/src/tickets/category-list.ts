import { Injectable } from '@nestjs/common';
import { AppConfig } from '@app/platform';
import { loadCategories } from '../domain/categories';

/** The configured problem categories (config/ticket-categories.yaml, else the seeds' eight). */
@Injectable()
export class CategoryList {
  readonly list: string[];
  private readonly set: Set<string>;

  constructor(config: AppConfig) {
    this.list = loadCategories(config.configDir);
    this.set = new Set(this.list);
  }

  has(category: string): boolean {
    return this.set.has(category);
  }
}
