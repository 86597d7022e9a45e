import { Inject, Injectable } from '@nestjs/common';
import {
  AppConfig,
  Clock,
  Conflict,
  Forbidden,
  isValidZone,
  NotFound,
  PG_FOREIGN_KEY_VIOLATION,
  PG_UNIQUE_VIOLATION,
  Principal,
  sqlState,
  ValidationFailed,
} from '@app/platform';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { childPath, OrgUnit } from './org-unit.entity';
import { parentRuleViolation } from './unit-kind';
import { CreateUnitInput, locationOf, Page, toUnitView, UnitDetailView, UnitListQuery, UnitView, UpdateUnitInput } from './unit-view';

export * from './unit-view';

@Injectable()
export class OrgUnitService {
  constructor(
    @Inject(DataSource) private readonly db: DataSource,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  /** A unit the principal may read, or 404 (never revealing that an id outside the scope exists). */
  async readable(principal: Principal, id: string, manager: EntityManager = this.db.manager): Promise<OrgUnit> {
    const unit = await manager.findOne(OrgUnit, { where: { id } });
    if (!unit || !principal.scope.canRead(unit)) throw new NotFound('Org unit', id);
    return unit;
  }

  private assertAdminOver(principal: Principal, unit: OrgUnit | null): void {
    const allowed = unit ? principal.scope.hasRoleOver(unit, 'admin') : principal.scope.global;
    if (!allowed) {
      throw new Forbidden(
        unit
          ? `Only an administrator of ${unit.name} can change its part of the org tree`
          : 'Only a system administrator can create a root unit',
      );
    }
  }

  async create(principal: Principal, input: CreateUnitInput, manager?: EntityManager): Promise<UnitView> {
    const work = async (m: EntityManager) => {
      const parent = input.parentId ? await this.lockedParent(principal, input.parentId, m) : null;
      this.assertAdminOver(principal, parent);
      return toUnitView(await this.insert(m, input, parent));
    };
    try {
      return manager ? await work(manager) : await this.db.transaction(work);
    } catch (e) {
      throw this.translate(e, input.name, input.code);
    }
  }

  private async lockedParent(principal: Principal, parentId: string, m: EntityManager): Promise<OrgUnit> {
    const parent = await m.findOne(OrgUnit, { where: { id: parentId }, lock: { mode: 'pessimistic_read' } });
    if (!parent || !principal.scope.canRead(parent)) throw new NotFound('Parent unit', parentId);
    return parent;
  }

  /** Inserts a unit under an already checked and locked parent. Used by create and the bulk import. */
  async insert(m: EntityManager, input: CreateUnitInput, parent: OrgUnit | null): Promise<OrgUnit> {
    const name = input.name.trim();
    const violation = parentRuleViolation(input.kind, parent?.kind ?? null);
    if (violation) throw ValidationFailed.field('parentId', violation);
    const timezone = input.timezone ?? parent?.timezone ?? this.config.TZ_DEFAULT;
    if (!isValidZone(timezone)) throw ValidationFailed.field('timezone', 'must be an IANA time zone such as Asia/Shanghai');
    const id = randomUUID();
    const now = this.clock.now();
    const unit = m.create(OrgUnit, {
      id,
      name,
      kind: input.kind,
      parentId: parent?.id ?? null,
      path: childPath(parent?.path ?? null, id),
      depth: (parent?.depth ?? 0) + 1,
      code: input.code?.trim() || null,
      timezone,
      ...locationOf(input),
      createdAt: now,
      updatedAt: now,
    });
    await m.insert(OrgUnit, unit);
    return unit;
  }

  private translate(e: unknown, name?: string, code?: string | null): unknown {
    const state = sqlState(e);
    if (state === PG_UNIQUE_VIOLATION) {
      const constraint = String((e as { driverError?: { constraint?: string } }).driverError?.constraint ?? '');
      if (constraint.includes('code')) return new Conflict(`The code ${code} is already used by another unit`);
      return new Conflict(`A unit named ${name} already exists under the same parent`);
    }
    if (state === PG_FOREIGN_KEY_VIOLATION) {
      return new Conflict('The unit still has units, members or records under it; move or remove those first');
    }
    return e;
  }

  async get(principal: Principal, id: string): Promise<UnitDetailView> {
    const unit = await this.readable(principal, id);
    const ancestorIds = unit.path.split('/').filter(Boolean).slice(0, -1);
    const [ancestors, [{ count }]] = await Promise.all([
      ancestorIds.length
        ? this.db.query(`SELECT id, name, kind FROM org_unit WHERE id = ANY($1::uuid[]) ORDER BY depth`, [ancestorIds])
        : Promise.resolve([]),
      this.db.query(`SELECT count(*)::int AS count FROM org_unit WHERE parent_id = $1`, [id]),
    ]);
    return { ...toUnitView(unit), ancestors, childCount: count };
  }

  async list(principal: Principal, query: UnitListQuery): Promise<Page<UnitView>> {
    const scope = principal.scope.sqlFilter('u.path', 1);
    const params: unknown[] = [...scope.params];
    const where = [scope.sql];
    if (query.parentId) {
      params.push(query.parentId);
      where.push(`u.parent_id = $${params.length}`);
    }
    if (query.kind) {
      params.push(query.kind);
      where.push(`u.kind = $${params.length}`);
    }
    if (query.q) {
      params.push(`%${query.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
      where.push(`u.name LIKE $${params.length}`);
    }
    params.push(query.pageSize, (query.page - 1) * query.pageSize);
    const rows = await this.db.query<Array<Record<string, unknown>>>(
      `SELECT u.*, count(*) OVER () AS total FROM org_unit u
        WHERE ${where.join(' AND ')}
        ORDER BY u.depth, u.name
        LIMIT $${params.length - 1} OFFSET $${params.length}`,
      params,
    );
    const total = rows.length ? Number(rows[0].total) : await this.count(where, params.slice(0, -2));
    return { items: rows.map((r) => toUnitView(this.fromRow(r))), total, page: query.page, pageSize: query.pageSize };
  }

  private async count(where: string[], params: unknown[]): Promise<number> {
    const [row] = await this.db.query(`SELECT count(*)::int AS n FROM org_unit u WHERE ${where.join(' AND ')}`, params);
    return row.n as number;
  }

  private fromRow(r: Record<string, unknown>): OrgUnit {
    return Object.assign(new OrgUnit(), {
      id: r.id,
      name: r.name,
      kind: r.kind,
      parentId: r.parent_id,
      path: r.path,
      depth: r.depth,
      code: r.code,
      timezone: r.timezone,
      lat: r.lat,
      lon: r.lon,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
    });
  }

  async update(principal: Principal, id: string, input: UpdateUnitInput): Promise<UnitView> {
    try {
      return await this.db.transaction(async (m) => {
        const unit = await m.findOne(OrgUnit, { where: { id }, lock: { mode: 'pessimistic_write' } });
        if (!unit || !principal.scope.canRead(unit)) throw new NotFound('Org unit', id);
        const currentParent = unit.parentId ? await m.findOneByOrFail(OrgUnit, { id: unit.parentId }) : null;
        this.assertAdminOver(principal, currentParent ?? (principal.scope.global ? null : unit));
        const now = this.clock.now();
        if (input.parentId !== undefined && input.parentId !== unit.parentId) {
          await this.move(principal, m, unit, input.parentId);
        }
        if (input.timezone !== undefined && input.timezone !== unit.timezone) {
          if (!isValidZone(input.timezone)) throw ValidationFailed.field('timezone', 'must be an IANA time zone such as Asia/Shanghai');
          // Descendants that shared the old zone follow; those set apart keep theirs.
          await m.query(`UPDATE org_unit SET timezone = $1, updated_at = $4 WHERE path LIKE $2 AND timezone = $3`, [
            input.timezone,
            `${unit.path}%`,
            unit.timezone,
            now,
          ]);
        }
        const patch: Partial<OrgUnit> = { updatedAt: now };
        if (input.name !== undefined) patch.name = input.name.trim();
        if (input.code !== undefined) patch.code = input.code?.trim() || null;
        if (input.lat !== undefined || input.lon !== undefined) Object.assign(patch, locationOf(input));
        await m.update(OrgUnit, { id }, patch);
        return toUnitView(await m.findOneByOrFail(OrgUnit, { id }));
      });
    } catch (e) {
      throw this.translate(e, input.name, input.code);
    }
  }

  private async move(principal: Principal, m: EntityManager, unit: OrgUnit, parentId: string | null): Promise<void> {
    const parent = parentId ? await this.lockedParent(principal, parentId, m) : null;
    this.assertAdminOver(principal, parent);
    if (parent && parent.path.startsWith(unit.path)) throw ValidationFailed.field('parentId', 'a unit cannot move under itself');
    const violation = parentRuleViolation(unit.kind, parent?.kind ?? null);
    if (violation) throw ValidationFailed.field('parentId', violation);
    const newPath = childPath(parent?.path ?? null, unit.id);
    const depthShift = (parent?.depth ?? 0) + 1 - unit.depth;
    await m.query(
      `UPDATE org_unit
          SET path = $2 || substr(path, $3), depth = depth + $4, updated_at = $5
        WHERE path LIKE $1`,
      [`${unit.path}%`, newPath, unit.path.length + 1, depthShift, this.clock.now()],
    );
    await m.update(OrgUnit, { id: unit.id }, { parentId: parent?.id ?? null });
  }

  async remove(principal: Principal, id: string): Promise<void> {
    try {
      await this.db.transaction(async (m) => {
        const unit = await m.findOne(OrgUnit, { where: { id }, lock: { mode: 'pessimistic_write' } });
        if (!unit || !principal.scope.canRead(unit)) throw new NotFound('Org unit', id);
        const parent = unit.parentId ? await m.findOneByOrFail(OrgUnit, { id: unit.parentId }) : null;
        this.assertAdminOver(principal, parent);
        await m.delete(OrgUnit, { id });
      });
    } catch (e) {
      throw this.translate(e);
    }
  }

  /** The units an inspection group inspects beyond the subtree it sits in. */
  async assignments(principal: Principal, groupId: string): Promise<UnitView[]> {
    await this.readable(principal, groupId);
    const rows = await this.db.query<Array<Record<string, unknown>>>(
      `SELECT u.* FROM inspection_assignment ia JOIN org_unit u ON u.id = ia.unit_id
        WHERE ia.group_id = $1 ORDER BY u.depth, u.name`,
      [groupId],
    );
    return rows.map((r) => toUnitView(this.fromRow(r)));
  }

  async setAssignments(principal: Principal, groupId: string, unitIds: string[]): Promise<UnitView[]> {
    await this.db.transaction(async (m) => {
      const group = await m.findOne(OrgUnit, { where: { id: groupId }, lock: { mode: 'pessimistic_write' } });
      if (!group || !principal.scope.canRead(group)) throw new NotFound('Org unit', groupId);
      if (group.kind !== 'inspection_group') {
        throw ValidationFailed.field('id', 'units are assigned to inspection groups only');
      }
      const ids = [...new Set(unitIds)];
      const units = ids.length ? await m.find(OrgUnit, { where: ids.map((id) => ({ id })) }) : [];
      for (const id of ids) {
        const unit = units.find((u) => u.id === id);
        if (!unit || !principal.scope.canRead(unit)) throw new NotFound('Org unit', id);
        this.assertAdminOver(principal, unit);
        if (unit.id === group.id) throw ValidationFailed.field('unitIds', 'a group cannot be assigned to itself');
      }
      const parent = group.parentId ? await m.findOneByOrFail(OrgUnit, { id: group.parentId }) : null;
      this.assertAdminOver(principal, parent);
      await m.query(`DELETE FROM inspection_assignment WHERE group_id = $1`, [groupId]);
      if (ids.length) {
        await m.query(
          `INSERT INTO inspection_assignment (group_id, unit_id, created_at)
           SELECT $1, unnest($2::uuid[]), $3`,
          [groupId, ids, this.clock.now()],
        );
      }
    });
    return this.assignments(principal, groupId);
  }
}
