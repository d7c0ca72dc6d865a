import { describe, expect, it } from 'vitest';
import { ValidationError } from '@/lib/errors';
import { DEFAULT_RULE_SET, parseRuleSet, type RuleSetInput } from '@/lib/retention/rule-set';

const minimal: RuleSetInput = {
  id: 'state-x',
  name: 'State X',
  jurisdiction: 'State X',
  version: 3,
  rules: [{ id: 'everyone-6y', when: {}, keep: { yearsAfterStudy: 6 } }],
};

function fieldErrors(raw: unknown): Record<string, string> {
  try {
    parseRuleSet(raw);
  } catch (error) {
    if (error instanceof ValidationError) return error.fieldErrors;
    throw error;
  }
  throw new Error('the rule set was accepted');
}

describe('the default rule set', () => {
  it('is version 1 with exactly the mammography, pediatric and adult rules, majority at 18', () => {
    expect(DEFAULT_RULE_SET.version).toBe(1);
    expect(DEFAULT_RULE_SET.majorityAge).toBe(18);
    expect(DEFAULT_RULE_SET.leapDay).toBe('feb28');
    expect(DEFAULT_RULE_SET.rules).toEqual([
      { id: 'mammography-10y', when: { modality: ['MG'] }, keep: { yearsAfterStudy: 10 } },
      { id: 'pediatric-21-plus-3', when: { minorAtStudy: true }, keep: { yearsAfterStudy: 7, untilAge: 21, plusYears: 3 } },
      { id: 'adult-7y', when: {}, keep: { yearsAfterStudy: 7 } },
    ]);
  });

  it('cannot be changed in place (a new version is a new rule set)', () => {
    const keep = DEFAULT_RULE_SET.rules[1]!.keep as { plusYears?: number };
    expect(() => {
      keep.plusYears = 0;
    }).toThrow(TypeError);
    expect(DEFAULT_RULE_SET.rules[1]!.keep.plusYears).toBe(3);
  });

  it('is what its own data parses to', () => {
    expect(parseRuleSet(JSON.parse(JSON.stringify(DEFAULT_RULE_SET)))).toEqual(DEFAULT_RULE_SET);
  });
});

describe('validating a rule set', () => {
  it('fills the majority age and the leap-day reading when they are not given', () => {
    const set = parseRuleSet(minimal);
    expect(set.majorityAge).toBe(18);
    expect(set.leapDay).toBe('feb28');
    expect(parseRuleSet({ ...minimal, majorityAge: 21, leapDay: 'mar1' })).toMatchObject({ majorityAge: 21, leapDay: 'mar1' });
  });

  it('names each bad field by its path', () => {
    expect(fieldErrors({ ...minimal, version: 1.5 })).toHaveProperty('version');
    expect(fieldErrors({ ...minimal, leapDay: 'mar2' })).toHaveProperty('leapDay');
    const typo = { ...minimal, rules: [{ id: 'everyone-6y', when: {}, keep: { yearsAfterStudies: 6 } }] };
    expect(Object.keys(fieldErrors(typo)).some((k) => k.startsWith('rules.0.keep'))).toBe(true);
    const lower = { ...minimal, rules: [...minimal.rules, { id: 'mg', when: { modality: ['mg'] }, keep: { yearsAfterStudy: 10 } }] };
    expect(fieldErrors(lower)).toHaveProperty(['rules.1.when.modality.0']);
  });

  it('needs a term to keep by, and plusYears only with untilAge', () => {
    const noTerm = { ...minimal, rules: [{ id: 'x', when: {}, keep: {} }] };
    expect(fieldErrors(noTerm)['rules.0.keep']).toMatch(/yearsAfterStudy, untilAge or both/);
    const plusAlone = { ...minimal, rules: [{ id: 'x', when: {}, keep: { yearsAfterStudy: 7, plusYears: 3 } }] };
    expect(fieldErrors(plusAlone)['rules.0.keep']).toMatch(/needs it/);
  });

  it('refuses a rule id used twice and a rule set that leaves some study without a rule', () => {
    const twice = { ...minimal, rules: [...minimal.rules, { id: 'everyone-6y', when: {}, keep: { yearsAfterStudy: 8 } }] };
    expect(fieldErrors(twice)['rules.1.id']).toMatch(/used twice/);
    const partial = { ...minimal, rules: [{ id: 'mg-10y', when: { modality: ['MG'] }, keep: { yearsAfterStudy: 10 } }] };
    expect(fieldErrors(partial).rules).toMatch(/apply to every study/);
  });

  it('reports the problems in its message', () => {
    expect(() => parseRuleSet({ ...minimal, version: 0 })).toThrow(/^Rule set: version: /);
  });
});
