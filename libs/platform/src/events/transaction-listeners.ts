import type { EntityManager } from 'typeorm';

/**
 * Where libs higher up register with a lib below them for what it writes (the dependency runs
 * upwards, the news downwards). The lib below tells its listeners inside its own transaction, in
 * the order they registered, so what they write commits with it or not at all. Each registry
 * names its news as methods that call `tell`.
 */
export abstract class TransactionListeners<L> {
  private readonly listeners: L[] = [];

  register(listener: L): void {
    if (!this.listeners.includes(listener)) this.listeners.push(listener);
  }

  /** Hands `items` to each listener through `call`, in `m`'s transaction; nothing to tell, no call. */
  protected async tell<T>(
    m: EntityManager,
    items: readonly T[],
    call: (l: L, m: EntityManager, items: readonly T[]) => Promise<void>,
  ): Promise<void> {
    if (!items.length) return;
    for (const l of this.listeners) await call(l, m, items);
  }
}
