import { Principal, Scope } from '@app/platform';
import { draftProblems, mayCreateIn, NewTicket } from './ticket-draft';

const categories = { list: ['精准识别', '两不愁三保障'], has: (c: string) => ['精准识别', '两不愁三保障'].includes(c) };
const draft = (extra: Partial<NewTicket> = {}): NewTicket => ({
  title: '1户危房改造未完成',
  unitId: 'u',
  deadline: '2026-08-31',
  ...extra,
});

describe('the rules every new ticket meets', () => {
  it.each<[string, Partial<NewTicket>, Array<[string, string]>]>([
    ['a ticket as POST /issues sends it', { category: '精准识别', responsible: '张三' }, []],
    ['a self-check problem with no deadline', { deadline: null }, []],
    ['an unknown category', { category: '杂项' }, [['category', '"杂项" is not a category (精准识别、两不愁三保障)']]],
    [
      'a category with spaces around it',
      { category: ' 精准识别' },
      [['category', '" 精准识别" is not a category (精准识别、两不愁三保障)']],
    ],
    ['an empty title', { title: '   ' }, [['title', 'is empty']]],
    ['a title too long', { title: '问'.repeat(501) }, [['title', 'is longer than 500 characters']]],
    ['a title as long as allowed, spaces aside', { title: ` ${'问'.repeat(500)} ` }, []],
    ['a responsible person too long', { responsible: '张'.repeat(101) }, [['responsible', 'is longer than 100 characters']]],
    ['a leader too long', { supervisingLeader: '李'.repeat(101) }, [['supervisingLeader', 'is longer than 100 characters']]],
    ['measures too long', { measures: '措'.repeat(5001) }, [['measures', 'is longer than 5000 characters']]],
    ['a description too long', { description: '述'.repeat(10001) }, [['description', 'is longer than 10000 characters']]],
    ['an implausible deadline', { deadline: '1999-12-31' }, [['deadline', 'is not a plausible date']]],
    [
      'a milestone after the deadline',
      { milestones: [{ date: '2026-09-01', title: '完成' }] },
      [['milestones', 'milestone 1 (2026-09-01) falls after the deadline 2026-08-31']],
    ],
    [
      'milestones without a deadline',
      { deadline: null, milestones: [{ date: '2026-08-01', title: '完成' }] },
      [['milestones', 'need a deadline to fall before']],
    ],
  ])('%s', (_name, extra, expected) => {
    expect(draftProblems(draft(extra), categories).map((p) => [p.field, p.message])).toEqual(expected);
  });
});

describe('who opens tickets in a unit', () => {
  const unit = { id: 'v1', path: '/c/t/v1/' };
  const as = (role: 'member' | 'leader' | 'inspector' | 'viewer' | 'admin', at: { id: string; path: string } = unit): Principal =>
    ({
      userId: 'me',
      scope: new Scope([{ role, unitId: at.id, path: at.path, subtree: role !== 'member' }], false),
    }) as unknown as Principal;
  const other = { id: 'v2', path: '/c/t/v2/' };

  it.each<[string, Principal, Parameters<typeof mayCreateIn>[2], string[], boolean]>([
    ['an inspector raises a supervision finding', as('inspector'), 'supervision', [], true],
    ['a leader over the township raises one', as('leader', { id: 't', path: '/c/t/' }), 'patrol', [], true],
    ['a team member does not raise a supervision finding', as('member'), 'supervision', [], false],
    ['the team files its own self-check problems', as('member'), 'self_check', [], true],
    ['a viewer files none', as('viewer'), 'self_check', [], false],
    ['another team files none of this team’s self-check', as('member', other), 'self_check', [], false],
    ['the team opens a verification ticket on its own village', as('member'), 'verification', [], true],
    ['a team sent to check the village opens one', as('member', other), 'verification', ['v2'], true],
    ['a team not sent opens none', as('member', other), 'verification', ['v3'], false],
  ])('%s', (_name, principal, source, teams, expected) => {
    expect(mayCreateIn(principal, unit, source, teams)).toBe(expected);
  });
});
