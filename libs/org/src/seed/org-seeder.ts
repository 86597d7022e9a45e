import { Injectable, OnModuleInit } from '@nestjs/common';
import { AppConfig, Clock, SeedContext, Seeder, SeedRunner } from '@app/platform';
import { randomBytes, randomUUID } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { hashPassword } from '../auth/password';
import { childPath, OrgUnit } from '../units/org-unit.entity';
import { UserService } from '../users/user.service';
import { DEMO_LOGINS, DEMO_PASSWORD, DEMO_TREE, DemoUnit } from './demo-org';

/** Creates `admin` on a database without users, and the demo province on the first start. */
@Injectable()
export class OrgSeeder implements Seeder, OnModuleInit {
  readonly name = 'org';
  readonly order = 10;

  constructor(
    private readonly runner: SeedRunner,
    private readonly users: UserService,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    this.runner.register(this);
  }

  async seed(ctx: SeedContext): Promise<void> {
    const m = ctx.manager;
    const [{ n }] = await m.query(`SELECT count(*)::int AS n FROM app_user`);
    if (n === 0) {
      const password = this.config.ADMIN_PASSWORD ?? randomBytes(12).toString('base64url');
      await this.users.insert(m, {
        username: 'admin',
        displayName: '系统管理员',
        passwordHash: await hashPassword(password),
        memberships: [{ unitId: null, role: 'admin' }],
      });
      ctx.notes.push(
        this.config.ADMIN_PASSWORD
          ? 'created the admin user with the password from ADMIN_PASSWORD'
          : `created the admin user with the generated password ${password} (shown once; set ADMIN_PASSWORD to choose it)`,
      );
    }
    const [{ units }] = await m.query(`SELECT count(*)::int AS units FROM org_unit`);
    if (ctx.firstStart && ctx.demo && units === 0) {
      const byName = new Map<string, OrgUnit>();
      await this.insertTree(m, DEMO_TREE, null, byName);
      const hash = await hashPassword(DEMO_PASSWORD);
      for (const login of DEMO_LOGINS) {
        const [taken] = await m.query(`SELECT 1 FROM app_user WHERE lower(username) = lower($1)`, [login.username]);
        if (taken) continue;
        await this.users.insert(m, {
          username: login.username,
          displayName: login.displayName,
          passwordHash: hash,
          memberships: [{ unitId: byName.get(login.unit)!.id, role: login.role }],
        });
      }
      ctx.notes.push('wrote the demo province (宣恩县椿木营乡, 白河县中厂镇, 凤庆县诗礼乡); DEMO=0 skips this');
    }
    const [demo] = await m.query(`SELECT 1 FROM app_user WHERE username = $1`, [DEMO_LOGINS[0].username]);
    if (demo) {
      ctx.notes.push(
        `demo logins (password ${DEMO_PASSWORD} unless changed): ` +
          DEMO_LOGINS.map((l) => `${l.username} = ${l.role}, ${l.what}`).join('; '),
      );
    }
  }

  private async insertTree(m: EntityManager, node: DemoUnit, parent: OrgUnit | null, byName: Map<string, OrgUnit>): Promise<void> {
    const now = this.clock.now();
    const unit = m.create(OrgUnit, {
      name: node.name,
      kind: node.kind,
      parentId: parent?.id ?? null,
      depth: (parent?.depth ?? 0) + 1,
      code: node.code ?? null,
      timezone: parent?.timezone ?? this.config.TZ_DEFAULT,
      createdAt: now,
      updatedAt: now,
    });
    unit.id = randomUUID();
    unit.path = childPath(parent?.path ?? null, unit.id);
    await m.insert(OrgUnit, unit);
    byName.set(unit.name, unit);
    for (const child of node.children ?? []) await this.insertTree(m, child, unit, byName);
  }
}
