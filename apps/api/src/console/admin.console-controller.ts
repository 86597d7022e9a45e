import { Controller, Get, Param, Post, Query, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { MembershipInput, OrgImportService, OrgUnitService, UnitView, UserService } from '@app/org';
import { CurrentPrincipal, Forbidden, ImportRejected, NotFound, Principal, Public, readUploadedFile, Role, ROLES } from '@app/platform';
import { IdPipe } from '../common/id.pipe';
import { ConsoleErrorFilter } from './console-error.filter';
import { CreateUserDto, MembershipDto, UpdateUserDto } from '../org/org.dto';
import { checkedForm, ConsolePages, field, formOf } from './console-page';
import { carried, preview } from './import-preview';
import { ConsoleAuthGuard, ConsoleReply, ConsoleRequest } from './session';

const ORG_IMPORT_MAX_BYTES = 10 * 1024 * 1024;
const TREE_MAX_UNITS = 2000;
const userId = new IdPipe('User');

interface TreeNode extends UnitView {
  children: TreeNode[];
}

/** The administrator's pages: the org tree with its bulk import, users and their roles. */
@ApiExcludeController()
@Public()
@UseGuards(ConsoleAuthGuard)
@UseFilters(ConsoleErrorFilter)
@Controller('admin')
export class AdminConsoleController {
  constructor(
    private readonly units: OrgUnitService,
    private readonly importer: OrgImportService,
    private readonly users: UserService,
    private readonly pages: ConsolePages,
  ) {}

  /** Every unit in scope, as a tree under the topmost ones the principal can see. */
  private async tree(p: Principal): Promise<{ roots: TreeNode[]; all: UnitView[] }> {
    const all: UnitView[] = [];
    for (let page = 1; all.length < TREE_MAX_UNITS; page++) {
      const result = await this.units.list(p, { page, pageSize: 200 });
      all.push(...result.items);
      if (page * 200 >= result.total) break;
    }
    const nodes = new Map(all.map((u) => [u.id, { ...u, children: [] as TreeNode[] }]));
    const roots: TreeNode[] = [];
    for (const node of nodes.values()) {
      const parent = node.parentId ? nodes.get(node.parentId) : undefined;
      if (parent) parent.children.push(node);
      else roots.push(node);
    }
    return { roots, all };
  }

  @Get('org')
  async org(@CurrentPrincipal() p: Principal, @Req() req: ConsoleRequest, @Res() reply: ConsoleReply): Promise<void> {
    AdminConsoleController.mustAdminister(p);
    const { roots } = await this.tree(p);
    const t = this.pages.t(req);
    this.pages.show(req, reply, 'org', { title: t.nav.org, roots });
  }

  @Post('org/check')
  async checkOrg(@CurrentPrincipal() p: Principal, @Req() req: ConsoleRequest, @Res() reply: ConsoleReply): Promise<void> {
    AdminConsoleController.mustAdminister(p);
    const file = await readUploadedFile(req, ORG_IMPORT_MAX_BYTES);
    const result = await preview(() => this.importer.import(p, file.data, file.filename, true), file);
    const t = this.pages.t(req);
    this.pages.show(req, reply, 'org-import', { title: t.nav.org, preview: result }, result.ok ? 200 : 422);
  }

  @Post('org/import')
  async importOrg(@CurrentPrincipal() p: Principal, @Req() req: ConsoleRequest, @Res() reply: ConsoleReply): Promise<void> {
    AdminConsoleController.mustAdminister(p);
    const file = (req as { isMultipart?: () => boolean }).isMultipart?.()
      ? await readUploadedFile(req, ORG_IMPORT_MAX_BYTES)
      : carried(req);
    const t = this.pages.t(req);
    try {
      const result = await this.importer.import(p, file.data, file.filename, false);
      this.pages.show(req, reply, 'org-import', { title: t.nav.org, imported: result.created });
    } catch (e) {
      if (!(e instanceof ImportRejected)) throw e;
      this.pages.show(req, reply, 'org-import', { title: t.nav.org, preview: { ok: false, rows: e.rows } }, 422);
    }
  }

  @Get('users')
  async userList(
    @CurrentPrincipal() p: Principal,
    @Req() req: ConsoleRequest,
    @Res() reply: ConsoleReply,
    @Query('q') q?: string,
  ): Promise<void> {
    AdminConsoleController.mustAdminister(p);
    const [users, { all }] = await Promise.all([
      this.users.list(p, { q: q?.slice(0, 100) || undefined, page: 1, pageSize: 100 }),
      this.tree(p),
    ]);
    const t = this.pages.t(req);
    this.pages.show(req, reply, 'users', {
      title: t.nav.users,
      users: users.items,
      total: users.total,
      q: q ?? '',
      units: all,
      roles: ROLES,
    });
  }

  @Post('users')
  async createUser(@CurrentPrincipal() p: Principal, @Req() req: ConsoleRequest, @Res() reply: ConsoleReply): Promise<void> {
    AdminConsoleController.mustAdminister(p);
    const body = formOf(req);
    const input = await checkedForm(CreateUserDto, {
      username: field(body, 'username'),
      password: typeof body.password === 'string' ? body.password : '',
      displayName: field(body, 'displayName'),
      memberships: [{ unitId: field(body, 'unitId') || null, role: field(body, 'role') as Role }],
    });
    await this.users.create(p, input);
    this.pages.redirect(reply, `/admin/users?q=${encodeURIComponent(input.username)}`);
  }

  /** One user: their units and roles, with forms to add and remove one, and to reset the password. */
  @Get('users/:id')
  async userPage(
    @CurrentPrincipal() p: Principal,
    @Req() req: ConsoleRequest,
    @Res() reply: ConsoleReply,
    @Param('id', userId) id: string,
    @Query('done') done?: string,
  ): Promise<void> {
    AdminConsoleController.mustAdminister(p);
    const [user, { all }] = await Promise.all([this.users.get(p, id), this.tree(p)]);
    const t = this.pages.t(req);
    this.pages.show(req, reply, 'user', {
      title: `${t.editUser} · ${user.username}`,
      user,
      units: all,
      roles: ROLES,
      global: p.scope.global,
      notice: done === 'memberships' ? t.membershipsSaved : done === 'password' ? t.passwordWasReset : undefined,
    });
  }

  /** Memberships change as a whole list in UserService, which checks every unit against the caller's scope. */
  @Post('users/:id/memberships')
  async addMembership(
    @CurrentPrincipal() p: Principal,
    @Req() req: ConsoleRequest,
    @Res() reply: ConsoleReply,
    @Param('id', userId) id: string,
  ): Promise<void> {
    await this.changeMemberships(p, req, reply, id, (current, added) => [...current, added]);
  }

  @Post('users/:id/memberships/remove')
  async removeMembership(
    @CurrentPrincipal() p: Principal,
    @Req() req: ConsoleRequest,
    @Res() reply: ConsoleReply,
    @Param('id', userId) id: string,
  ): Promise<void> {
    await this.changeMemberships(p, req, reply, id, (current, removed) => {
      const kept = current.filter((m) => !(m.unitId === removed.unitId && m.role === removed.role));
      if (kept.length === current.length) throw new NotFound('Membership', `${removed.unitId ?? 'global'} ${removed.role}`);
      return kept;
    });
  }

  /** Reads the form's unit and role and applies `change` to the user's current list, under the user's lock. */
  private async changeMemberships(
    p: Principal,
    req: ConsoleRequest,
    reply: ConsoleReply,
    id: string,
    change: (current: MembershipInput[], posted: MembershipInput) => MembershipInput[],
  ): Promise<void> {
    AdminConsoleController.mustAdminister(p);
    const body = formOf(req);
    const posted = await checkedForm(MembershipDto, { unitId: field(body, 'unitId') || null, role: field(body, 'role') as Role });
    await this.users.changeMemberships(p, id, (current) => change(current, posted));
    this.pages.redirect(reply, `/admin/users/${id}?done=memberships`);
  }

  @Post('users/:id/password')
  async resetPassword(
    @CurrentPrincipal() p: Principal,
    @Req() req: ConsoleRequest,
    @Res() reply: ConsoleReply,
    @Param('id', userId) id: string,
  ): Promise<void> {
    AdminConsoleController.mustAdminister(p);
    const body = formOf(req);
    // Passwords are taken as typed: leading or trailing spaces are part of them.
    await this.users.update(p, id, await checkedForm(UpdateUserDto, { password: typeof body.password === 'string' ? body.password : '' }));
    this.pages.redirect(reply, `/admin/users/${id}?done=password`);
  }

  /** The admin pages are for administrators, as their menu is; the lib services check each unit. */
  private static mustAdminister(p: Principal): void {
    if (!p.scope.holdsAny('admin')) throw new Forbidden('Only an administrator can manage units and users');
  }
}
