import { Grant, Role, Scope } from '@app/platform';
import { workAreasOf } from './work-areas';

const grant = (role: Role): Grant => ({ role, unitId: 'u', path: '/county/township/', subtree: true });
const scopeOf = (...roles: Role[]) => new Scope(roles.map(grant), false);

describe('work areas', () => {
  it.each<[string, Scope, { team: boolean; inspection: boolean; oversight: boolean; administration: boolean }, string | null, string[]]>([
    ['a village member', scopeOf('member'), { team: true, inspection: false, oversight: false, administration: false }, 'team', ['team']],
    [
      'an inspector',
      scopeOf('inspector'),
      { team: false, inspection: true, oversight: false, administration: false },
      'inspection',
      ['inspection'],
    ],
    [
      'a township leader',
      scopeOf('leader'),
      { team: true, inspection: true, oversight: true, administration: false },
      'oversight',
      ['oversight', 'inspection', 'team'],
    ],
    [
      'a county viewer',
      scopeOf('viewer'),
      { team: false, inspection: false, oversight: true, administration: false },
      'oversight',
      ['oversight'],
    ],
    [
      'a unit administrator',
      scopeOf('admin'),
      { team: false, inspection: true, oversight: true, administration: true },
      'administration',
      ['inspection', 'oversight', 'administration'],
    ],
    [
      'a member who also leads',
      scopeOf('member', 'leader'),
      { team: true, inspection: true, oversight: true, administration: false },
      'team',
      ['oversight', 'inspection', 'team'],
    ],
    [
      'an inspector who is also a member',
      scopeOf('inspector', 'member'),
      { team: true, inspection: true, oversight: false, administration: false },
      'team',
      ['team', 'inspection'],
    ],
    [
      'the system administrator',
      new Scope([], true),
      { team: false, inspection: true, oversight: true, administration: true },
      'administration',
      ['inspection', 'oversight', 'administration'],
    ],
    ['someone with no membership', Scope.none(), { team: false, inspection: false, oversight: false, administration: false }, null, []],
  ])('%s', (_who, scope, open, primary, order) => {
    const areas = workAreasOf(scope);
    expect({ team: areas.team, inspection: areas.inspection, oversight: areas.oversight, administration: areas.administration }).toEqual(
      open,
    );
    expect(areas.primary).toBe(primary);
    expect(areas.order).toEqual(order);
  });
});
