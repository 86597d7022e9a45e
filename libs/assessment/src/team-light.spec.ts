import { DEFAULT_LIGHT_RULE, lightRuleProblems, teamLight } from './team-light';

describe('team lights', () => {
  it.each([
    [0, 0, 'green'],
    [1, 0, 'yellow'],
    [0, 1, 'yellow'],
    [2, 2, 'yellow'],
    [3, 0, 'red'],
    [0, 3, 'red'],
    [7, 1, 'red'],
  ] as const)('%d overdue, %d returned: %s', (overdue, returned, light) => expect(teamLight({ overdue, returned })).toBe(light));

  it('follows a configured rule', () => {
    const strict = { red: { overdue: 1, returned: 2 }, yellow: { overdue: 1, returned: 1 } };
    expect(teamLight({ overdue: 1, returned: 0 }, strict)).toBe('red');
    expect(teamLight({ overdue: 0, returned: 1 }, strict)).toBe('yellow');
    expect(teamLight({ overdue: 0, returned: 0 }, strict)).toBe('green');
  });

  it('checks a rule', () => {
    expect(lightRuleProblems(DEFAULT_LIGHT_RULE)).toEqual([]);
    expect(lightRuleProblems({ red: { overdue: 0, returned: 2 }, yellow: { overdue: 1, returned: 1.5 } })).toEqual([
      'lights.red.overdue: must be a whole number, 1 or more',
      'lights.yellow.returned: must be a whole number, 1 or more',
    ]);
    expect(lightRuleProblems({ red: { overdue: 2, returned: 2 }, yellow: { overdue: 3, returned: 1 } })).toEqual([
      'lights.yellow: must not be above lights.red',
    ]);
  });
});
