import { MembershipFacts, roleKindViolation, scopeFromMemberships } from './scope-rules';
import { parentRuleViolation, parseUnitKind, UnitKind } from './unit-kind';

// A small tree: county C with township T (villages V1, V2, office O, group G) and township T2 (village W).
const P = {
  C: '/c/',
  T: '/c/t/',
  V1: '/c/t/v1/',
  V2: '/c/t/v2/',
  O: '/c/t/o/',
  G: '/c/t/g/',
  T2: '/c/t2/',
  W: '/c/t2/w/',
};
const unit = (key: keyof typeof P) => ({ id: key, path: P[key] });
const m = (role: MembershipFacts['role'], at: keyof typeof P | null, extra: Partial<MembershipFacts> = {}): MembershipFacts => ({
  role,
  unitId: at,
  unitKind: null,
  unitPath: at ? P[at] : null,
  parentPath: null,
  assignedPaths: [],
  ...extra,
});

describe('scope rules', () => {
  const readable = (memberships: MembershipFacts[]) =>
    (Object.keys(P) as Array<keyof typeof P>).filter((k) => scopeFromMemberships(memberships).canRead(unit(k)));

  it('admin without a unit sees everything', () => {
    expect(readable([m('admin', null)])).toEqual(Object.keys(P));
    expect(scopeFromMemberships([m('admin', null)]).global).toBe(true);
  });

  it('leader, viewer and unit admin see their unit and everything under it', () => {
    for (const role of ['leader', 'viewer', 'admin'] as const) {
      expect(readable([m(role, 'T')])).toEqual(['T', 'V1', 'V2', 'O', 'G']);
    }
  });

  it('member sees its own unit only', () => {
    expect(readable([m('member', 'V1')])).toEqual(['V1']);
    expect(readable([m('member', 'T')])).toEqual(['T']);
  });

  it('inspector sees the subtree its group sits in, plus assigned units', () => {
    expect(readable([m('inspector', 'G', { parentPath: P.T })])).toEqual(['T', 'V1', 'V2', 'O', 'G']);
    expect(readable([m('inspector', 'G', { parentPath: P.T, assignedPaths: [P.T2] })])).toEqual(Object.keys(P).filter((k) => k !== 'C'));
  });

  it('unions several memberships and keeps the role per unit', () => {
    const s = scopeFromMemberships([m('member', 'V1'), m('viewer', 'T2')]);
    expect(s.rolesOver(unit('V1'))).toEqual(new Set(['member']));
    expect(s.rolesOver(unit('W'))).toEqual(new Set(['viewer']));
    expect(s.hasRoleOver(unit('W'), 'member', 'leader')).toBe(false);
    expect(s.canRead(unit('V2'))).toBe(false);
  });

  it('a team works within its township and county, not a sibling township or another village', () => {
    const within = (memberships: MembershipFacts[]) =>
      (Object.keys(P) as Array<keyof typeof P>).filter((k) => scopeFromMemberships(memberships).worksWithin(unit(k)));
    expect(within([m('member', 'V1')])).toEqual(['C', 'T', 'V1']);
    expect(within([m('member', 'W')])).toEqual(['C', 'T2', 'W']);
    // Working within a township is not reading it: the township's own tickets stay out of reach.
    expect(readable([m('member', 'V1')])).toEqual(['V1']);
    expect(scopeFromMemberships([m('admin', null)]).worksWithin(unit('W'))).toBe(true);
    expect(scopeFromMemberships([]).worksWithin(unit('C'))).toBe(false);
  });

  it('does not confuse a path with a sibling that shares its prefix', () => {
    const s = scopeFromMemberships([{ ...m('leader', 'T'), unitPath: '/c/t/' }]);
    expect(s.canRead({ id: 'x', path: '/c/t2/' })).toBe(false);
  });

  it('builds SQL that filters by prefix and exact path', () => {
    const s = scopeFromMemberships([m('leader', 'T'), m('member', 'W')]);
    const f = s.sqlFilter('u.path', 3);
    expect(f.sql).toBe('(u.path LIKE ANY($3::text[]) OR u.path = ANY($4::text[]))');
    expect(f.params).toEqual([['/c/t/%'], ['/c/t2/w/']]);
    expect(s.sqlFilter('u.path', 1, ['inspector']).sql).toBe('FALSE');
    expect(scopeFromMemberships([m('admin', null)]).sqlFilter('u.path', 1).sql).toBe('TRUE');
  });

  it('escapes LIKE wildcards in paths', () => {
    const s = scopeFromMemberships([{ ...m('leader', 'T'), unitPath: '/a_b%/' }]);
    expect(s.sqlFilter('p', 1).params).toEqual([['/a\\_b\\%/%']]);
  });
});

describe('unit kinds', () => {
  const table: Array<[UnitKind, UnitKind | null, boolean]> = [
    ['province', null, true],
    ['county', null, true],
    ['county', 'province', true],
    ['township', 'county', true],
    ['village', 'township', true],
    ['office', 'township', true],
    ['office', 'county', true],
    ['inspection_group', 'township', true],
    ['inspection_group', 'county', true],
    ['village', 'county', false],
    ['village', null, false],
    ['township', 'township', false],
    ['township', null, false],
    ['office', 'village', false],
    ['inspection_group', 'village', false],
    ['county', 'county', false],
    ['province', 'county', false],
  ];
  it.each(table)('%s under %s allowed: %s', (kind, parent, ok) => {
    const reason = parentRuleViolation(kind, parent);
    if (ok) expect(reason).toBeUndefined();
    else expect(reason).toMatch(new RegExp(`^an? ${kind} must sit under`));
  });

  it.each([
    ['县', 'county'],
    ['乡镇', 'township'],
    ['镇', 'township'],
    ['村', 'village'],
    ['社区', 'village'],
    ['村（社区）', 'village'],
    ['站所办', 'office'],
    ['巡察组', 'inspection_group'],
    ['Village', 'village'],
  ])('reads the type %s as %s', (text, kind) => expect(parseUnitKind(text)).toBe(kind));

  it('rejects roles held in the wrong kind of unit', () => {
    expect(roleKindViolation('inspector', 'village')).toMatch(/inspector role is held in/);
    expect(roleKindViolation('inspector', 'inspection_group')).toBeUndefined();
    expect(roleKindViolation('member', null)).toMatch(/needs a unit/);
    expect(roleKindViolation('admin', null)).toBeUndefined();
  });
});
