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
