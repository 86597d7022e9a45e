import { Inject, Injectable } from '@nestjs/common';
import { Clock, Conflict, Forbidden, NotFound, PG_UNIQUE_VIOLATION, Principal, Role, sqlState, ValidationFailed } from '@app/platform';
import { DataSource, EntityManager } from 'typeorm';
import { hashPassword, MIN_PASSWORD_LENGTH } from '../auth/password';
import { OrgUnit } from '../units/org-unit.entity';
import type { Page } from '../units/org-unit.service';
import { roleKindViolation } from '../units/scope-rules';
import { UNIT_KIND_LABELS, UnitKind } from '../units/unit-kind';
import { Membership } from './membership.entity';
import { User } from './user.entity';

export interface MembershipInput {
  unitId?: string | null;
  role: Role;
}

export interface CreateUserInput {
  username: string;
  password: string;
  displayName: string;
  phone?: string | null;
  memberships: MembershipInput[];
}

export interface UpdateUserInput {
  displayName?: string;
  phone?: string | null;
  active?: boolean;
  password?: string;
}

export interface MembershipView {
  unitId: string | null;
  unitName: string | null;
  unitKind: UnitKind | null;
  unitKindLabel: string | null;
  role: Role;
}

export interface UserView {
  id: string;
  username: string;
  displayName: string;
  phone: string | null;
  active: boolean;
  memberships: MembershipView[];
  createdAt: string;
}

export interface UserListQuery {
  unitId?: string;
  q?: string;
  page: number;
  pageSize: number;
}

const USER_VIEW_SQL = `
  SELECT u.id, u.username, u.display_name, u.phone, u.active, u.created_at,
         coalesce(json_agg(json_build_object('unitId', m.unit_id, 'unitName', ou.name, 'unitKind', ou.kind, 'role', m.role)
                  ORDER BY ou.depth NULLS FIRST, ou.name) FILTER (WHERE m.id IS NOT NULL), '[]'::json) AS memberships
    FROM app_user u
    LEFT JOIN membership m ON m.user_id = u.id
    LEFT JOIN org_unit ou ON ou.id = m.unit_id`;

interface UserRow {
  id: string;
  username: string;
  display_name: string;
  phone: string | null;
  active: boolean;
  created_at: Date;
  memberships: Array<Omit<MembershipView, 'unitKindLabel'>>;
  total?: string;
}

function toView(r: UserRow): UserView {
  return {
    id: r.id,
    username: r.username,
    displayName: r.display_name,
    phone: r.phone,
    active: r.active,
    createdAt: new Date(r.created_at).toISOString(),
    memberships: r.memberships.map((m) => ({ ...m, unitKindLabel: m.unitKind ? UNIT_KIND_LABELS[m.unitKind].zh : null })),
  };
}

@Injectable()
export class UserService {
  constructor(
    @Inject(DataSource) private readonly db: DataSource,
    private readonly clock: Clock,
  ) {}

  async view(id: string): Promise<UserView> {
    const rows = await this.db.query<UserRow[]>(`${USER_VIEW_SQL} WHERE u.id = $1 GROUP BY u.id`, [id]);
    if (!rows[0]) throw new NotFound('User', id);
    return toView(rows[0]);
  }

  /**
   * Checks that every membership names a unit the principal administers and a role that may be
   * held there; a global admin membership needs a global admin.
   */
  private async checkMemberships(principal: Principal, memberships: MembershipInput[], m: EntityManager): Promise<void> {
    const seen = new Set<string>();
    for (const [i, ms] of memberships.entries()) {
      const field = `memberships.${i}`;
      const key = ms.unitId ?? 'global';
      if (seen.has(key)) throw ValidationFailed.field(field, 'a user holds one role per unit');
      seen.add(key);
      if (!ms.unitId) {
        const violation = roleKindViolation(ms.role, null);
        if (violation) throw ValidationFailed.field(`${field}.unitId`, violation);
        if (!principal.scope.global) throw new Forbidden('Only a system administrator can make another system administrator');
        continue;
      }
      const unit = await m.findOne(OrgUnit, { where: { id: ms.unitId } });
      if (!unit || !principal.scope.canRead(unit)) throw new NotFound('Org unit', ms.unitId);
      if (!principal.scope.hasRoleOver(unit, 'admin')) throw new Forbidden(`Only an administrator of ${unit.name} can add people to it`);
      const violation = roleKindViolation(ms.role, unit.kind);
      if (violation) throw ValidationFailed.field(`${field}.role`, violation);
    }
  }

  private static checkPassword(password: string, field = 'password'): void {
    if (password.length < MIN_PASSWORD_LENGTH) throw ValidationFailed.field(field, `must be at least ${MIN_PASSWORD_LENGTH} characters`);
  }

  async create(principal: Principal, input: CreateUserInput, manager?: EntityManager): Promise<UserView> {
    if (!principal.scope.holdsAny('admin')) throw new Forbidden('Only an administrator can add users');
    UserService.checkPassword(input.password);
    const hash = await hashPassword(input.password);
    const work = async (m: EntityManager) => {
      await this.checkMemberships(principal, input.memberships, m);
      return this.insert(m, { ...input, passwordHash: hash });
    };
    let id: string;
    try {
      id = manager ? await work(manager) : await this.db.transaction(work);
    } catch (e) {
      if (sqlState(e) === PG_UNIQUE_VIOLATION) throw new Conflict(`The username ${input.username} is already taken`);
      throw e;
    }
    return manager ? toView((await manager.query(`${USER_VIEW_SQL} WHERE u.id = $1 GROUP BY u.id`, [id]))[0]) : this.view(id);
  }

  /** Inserts a user and memberships without permission checks (bootstrap and demo data). */
  async insert(m: EntityManager, input: Omit<CreateUserInput, 'password'> & { passwordHash: string }): Promise<string> {
    const now = this.clock.now();
    const user = m.create(User, {
      username: input.username.trim(),
      passwordHash: input.passwordHash,
      displayName: input.displayName.trim(),
      phone: input.phone?.trim() || null,
      active: true,
      tokenVersion: 0,
      createdAt: now,
      updatedAt: now,
    });
    const saved = await m.save(User, user);
    if (input.memberships.length) {
      await m.insert(
        Membership,
        input.memberships.map((ms) => ({ userId: saved.id, unitId: ms.unitId ?? null, role: ms.role, createdAt: now })),
      );
    }
    return saved.id;
  }

  /** A user the principal may see: one with a membership inside the principal's scope. */
  private async visible(principal: Principal, id: string, m: EntityManager = this.db.manager): Promise<void> {
    if (principal.userId === id || principal.scope.global) {
      const [row] = await m.query(`SELECT 1 FROM app_user WHERE id = $1`, [id]);
      if (!row) throw new NotFound('User', id);
      return;
    }
    const scope = principal.scope.sqlFilter('ou.path', 2);
    const [row] = await m.query(
      `SELECT 1 FROM membership ms JOIN org_unit ou ON ou.id = ms.unit_id WHERE ms.user_id = $1 AND ${scope.sql} LIMIT 1`,
      [id, ...scope.params],
    );
    if (!row) throw new NotFound('User', id);
  }

  /** Whether the principal administers every unit the user belongs to. */
  private async assertAdministers(principal: Principal, id: string, m: EntityManager): Promise<void> {
    if (principal.scope.global) return;
    const units = await m.query<Array<{ id: string | null; path: string | null; name: string | null }>>(
      `SELECT ou.id, ou.path, ou.name FROM membership ms LEFT JOIN org_unit ou ON ou.id = ms.unit_id WHERE ms.user_id = $1`,
      [id],
    );
    for (const u of units) {
      if (!u.id || !u.path || !principal.scope.hasRoleOver({ id: u.id, path: u.path }, 'admin')) {
        throw new Forbidden(`Only an administrator of every unit this user belongs to can change the user`);
      }
    }
  }

  async get(principal: Principal, id: string): Promise<UserView> {
    await this.visible(principal, id);
    return this.view(id);
  }

  async list(principal: Principal, query: UserListQuery): Promise<Page<UserView>> {
    const params: unknown[] = [];
    const where: string[] = [];
    if (!principal.scope.global) {
      const scope = principal.scope.sqlFilter('sou.path', 1);
      params.push(...scope.params);
      where.push(`EXISTS (SELECT 1 FROM membership sm JOIN org_unit sou ON sou.id = sm.unit_id WHERE sm.user_id = u.id AND ${scope.sql})`);
    }
    if (query.unitId) {
      params.push(query.unitId);
      where.push(`EXISTS (SELECT 1 FROM membership fm WHERE fm.user_id = u.id AND fm.unit_id = $${params.length})`);
    }
    if (query.q) {
      params.push(`%${query.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
      where.push(`(u.username ILIKE $${params.length} OR u.display_name LIKE $${params.length})`);
    }
    params.push(query.pageSize, (query.page - 1) * query.pageSize);
    const rows = await this.db.query<UserRow[]>(
      `${USER_VIEW_SQL.replace('SELECT u.id,', 'SELECT count(*) OVER () AS total, u.id,')}
        ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        GROUP BY u.id ORDER BY u.username
        LIMIT $${params.length - 1} OFFSET $${params.length}`,
      params,
    );
    let total = rows.length ? Number(rows[0].total) : 0;
    if (!rows.length && query.page > 1) {
      const [c] = await this.db.query(
        `SELECT count(*)::int AS n FROM app_user u ${where.length ? `WHERE ${where.join(' AND ')}` : ''}`,
        params.slice(0, -2),
      );
      total = c.n;
    }
    return { items: rows.map(toView), total, page: query.page, pageSize: query.pageSize };
  }

  async update(principal: Principal, id: string, input: UpdateUserInput): Promise<UserView> {
    const hash = input.password !== undefined ? (UserService.checkPassword(input.password), await hashPassword(input.password)) : undefined;
    await this.db.transaction(async (m) => {
      await this.visible(principal, id, m);
      await m.query(`SELECT 1 FROM app_user WHERE id = $1 FOR UPDATE`, [id]);
      await this.assertAdministers(principal, id, m);
      if (input.active === false && id === principal.userId) throw ValidationFailed.field('active', 'you cannot disable your own account');
      const sets: string[] = ['updated_at = $2'];
      const params: unknown[] = [id, this.clock.now()];
      const set = (column: string, value: unknown) => {
        params.push(value);
        sets.push(`${column} = $${params.length}`);
      };
      if (input.displayName !== undefined) set('display_name', input.displayName.trim());
      if (input.phone !== undefined) set('phone', input.phone?.trim() || null);
      if (input.active !== undefined) set('active', input.active);
      if (hash) set('password_hash', hash);
      // A new password or a disabled account ends every session.
      if (hash || input.active === false) sets.push('token_version = token_version + 1');
      await m.query(`UPDATE app_user SET ${sets.join(', ')} WHERE id = $1`, params);
    });
    return this.view(id);
  }

  async setMemberships(principal: Principal, id: string, memberships: MembershipInput[]): Promise<UserView> {
    return this.changeMemberships(principal, id, () => memberships);
  }

  /**
   * Changes a user's memberships as a whole list: `change` gets the current list, read under the
   * user's row lock, so that two administrators adding a role each at the same time both count.
   */
  async changeMemberships(principal: Principal, id: string, change: (current: MembershipInput[]) => MembershipInput[]): Promise<UserView> {
    await this.db.transaction(async (m) => {
      await this.visible(principal, id, m);
      await m.query(`SELECT 1 FROM app_user WHERE id = $1 FOR UPDATE`, [id]);
      await this.assertAdministers(principal, id, m);
      const current = await m.query<Array<{ unitId: string | null; role: Role }>>(
        `SELECT unit_id AS "unitId", role FROM membership WHERE user_id = $1 ORDER BY created_at, unit_id NULLS FIRST, role`,
        [id],
      );
      const memberships = change(current);
      await this.checkMemberships(principal, memberships, m);
      await m.query(`DELETE FROM membership WHERE user_id = $1`, [id]);
      if (memberships.length) {
        const now = this.clock.now();
        await m.insert(
          Membership,
          memberships.map((ms) => ({ userId: id, unitId: ms.unitId ?? null, role: ms.role, createdAt: now })),
        );
      }
    });
    return this.view(id);
  }
}
