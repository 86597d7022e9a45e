import { Injectable } from '@nestjs/common';
import { OrgUnitService, UnitView } from '@app/org';
import { NotFound, Principal } from '@app/platform';

/** The townships a leader's pages are about, and the teams under them, through the caller's scope. */
@Injectable()
export class ConsoleTownships {
  constructor(private readonly units: OrgUnitService) {}

  /**
   * The townships in scope, and the one asked for (the first by default); 404 when there is none.
   * `choices` is what a page's township picker offers: nothing when there is only one.
   */
  async choose(p: Principal, unitId?: string): Promise<{ township: UnitView; choices: UnitView[] | undefined }> {
    const townships = (await this.units.list(p, { kind: 'township', page: 1, pageSize: 200 })).items;
    const township = townships.find((u) => u.id === unitId) ?? townships[0];
    if (!township) throw new NotFound('Township');
    return { township, choices: townships.length > 1 ? townships : undefined };
  }

  /**
   * The townships whose rankings and bulletins the caller reads: those in scope, and for a
   * village team the township it works in (it reads what the township addresses to its teams).
   */
  async addressedTo(p: Principal, unitId?: string): Promise<{ township: UnitView; choices: UnitView[] | undefined }> {
    const inScope = (await this.units.list(p, { kind: 'township', page: 1, pageSize: 200 })).items;
    const found = new Map(inScope.map((u) => [u.id, u]));
    if (!found.size) {
      const own = [...new Set(p.scope.grants.map((g) => g.unitId).filter((id): id is string => Boolean(id)))];
      for (const id of own) {
        const detail = await this.units.get(p, id);
        for (const a of detail.ancestors) {
          if (a.kind === 'township' && !found.has(a.id))
            found.set(a.id, { ...detail, id: a.id, name: a.name, kind: a.kind, parentId: null });
        }
      }
    }
    const townships = [...found.values()];
    const township = townships.find((u) => u.id === unitId) ?? townships[0];
    if (!township) throw new NotFound('Township');
    return { township, choices: townships.length > 1 ? townships : undefined };
  }

  /** The township a form was posted for: exactly that one, never a fallback to another; 404 otherwise. */
  async posted(p: Principal, unitId: string): Promise<{ township: UnitView; choices: UnitView[] | undefined }> {
    const chosen = await this.choose(p, unitId);
    if (chosen.township.id !== unitId) throw new NotFound('Township', unitId);
    return chosen;
  }

  /** The village teams and offices directly under a township. */
  async teams(p: Principal, townshipId: string): Promise<UnitView[]> {
    const children = await this.units.list(p, { parentId: townshipId, page: 1, pageSize: 200 });
    return children.items.filter((u) => u.kind === 'village' || u.kind === 'office');
  }
}
