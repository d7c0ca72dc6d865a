import { describe, expect, it } from 'vitest';
import { ValidationError } from '@/lib/errors';
import { explainRetention, retentionJson, type StudyFacts } from '@/lib/retention/evaluate';
import { DEFAULT_RULE_SET, parseRuleSet, type RuleSetInput } from '@/lib/retention/rule-set';

const FAR = '2099-01-01';

function study(facts: Partial<StudyFacts>): StudyFacts {
  return { studyInstanceUid: '1.2.840.1', modality: 'CT', studyDate: '2019-02-28', birthDate: '1970-06-15', ...facts };
}

function ruleSet(changes: Partial<RuleSetInput>) {
  return parseRuleSet({ ...DEFAULT_RULE_SET, id: 'custom', version: 2, ...changes });
}

describe('an adult study', () => {
  const adult = study({});

  it('is kept 7 years through the anniversary; the day after is the first deletable day', () => {
    const e = explainRetention(adult, DEFAULT_RULE_SET, FAR);
    expect(e).toMatchObject({ rule: 'adult-7y', retentionClass: 'adult', retainedThrough: '2026-02-28', retainUntil: '2026-03-01' });
    expect(e.steps).toContain('Rule adult-7y (every study) applies: 2019-02-28 + 7 years = 2026-02-28.');
    expect(e.steps).toContain('Retention keeps the study through 2026-02-28; the first day it may be deleted is 2026-03-01.');
  });

  it('is not deletable the day before retainUntil, and is on the day itself and the day after', () => {
    const before = explainRetention(adult, DEFAULT_RULE_SET, '2026-02-28');
    expect(before.deletable).toBe(false);
    expect(before.reasons).toEqual(['retention has not ended: rule adult-7y keeps the study through 2026-02-28; it may be deleted from 2026-03-01']);
    expect(explainRetention(adult, DEFAULT_RULE_SET, '2026-03-01')).toMatchObject({ deletable: true, reasons: [] });
    expect(explainRetention(adult, DEFAULT_RULE_SET, '2026-03-02')).toMatchObject({ deletable: true, reasons: [] });
    expect(explainRetention(adult, DEFAULT_RULE_SET, '2026-03-01').steps.at(-1)).toBe('As of 2026-03-01: deletable.');
  });

  it('prints exactly the documented JSON keys, in order', () => {
    const json = retentionJson(explainRetention(adult, DEFAULT_RULE_SET, '2026-03-01'));
    expect(JSON.stringify(json)).toBe(
      '{"study":"1.2.840.1","retentionClass":"adult","rule":"adult-7y","ruleSetVersion":1,"studyDate":"2019-02-28",' +
        '"birthDate":"1970-06-15","retainUntil":"2026-03-01","deletable":true,"reasons":[]}',
    );
  });
});

describe('leap days', () => {
  it('keeps a study of 29 February through 28 February seven years on, deletable from 1 March', () => {
    const e = explainRetention(study({ studyDate: '2020-02-29' }), DEFAULT_RULE_SET, FAR);
    expect(e).toMatchObject({ retainedThrough: '2027-02-28', retainUntil: '2027-03-01' });
    expect(e.steps).toContain('Rule adult-7y (every study) applies: 2020-02-29 + 7 years = 2027-02-28.');
  });

  it('keeps it one day longer under the 1 March reading', () => {
    const e = explainRetention(study({ studyDate: '2020-02-29' }), ruleSet({ leapDay: 'mar1' }), FAR);
    expect(e).toMatchObject({ retainedThrough: '2027-03-01', retainUntil: '2027-03-02' });
    expect(e.steps[0]).toMatch(/fall on 1 March in common years/);
  });

  it('counts the 24th birthday of a child born on 29 February from the birth date (a leap year: 29 February)', () => {
    const e = explainRetention(study({ studyDate: '2010-01-10', birthDate: '2008-02-29' }), DEFAULT_RULE_SET, FAR);
    expect(e).toMatchObject({ rule: 'pediatric-21-plus-3', retainedThrough: '2032-02-29', retainUntil: '2032-03-01' });
    expect(e.steps.join('\n')).toContain('born 2008-02-29 → 21st birthday 2029-02-28, + 3 years = 2032-02-29 (the 24th birthday)');
  });

  it('turns a child born on 29 February 21 on 28 February of a common year, or on 1 March by the reading', () => {
    const until21 = { rules: [{ id: 'minor-21', when: { minorAtStudy: true }, keep: { untilAge: 21 } }, { id: 'all-7y', when: {}, keep: { yearsAfterStudy: 7 } }] };
    const child = study({ studyDate: '2010-01-10', birthDate: '2008-02-29' });
    expect(explainRetention(child, ruleSet(until21), FAR)).toMatchObject({ rule: 'minor-21', retainedThrough: '2029-02-28', retainUntil: '2029-03-01' });
    expect(explainRetention(child, ruleSet({ ...until21, leapDay: 'mar1' }), FAR)).toMatchObject({ retainedThrough: '2029-03-01', retainUntil: '2029-03-02' });
  });
});

describe('children', () => {
  it('writes out the arithmetic and keeps until the 24th birthday when that is later than 7 years after the study', () => {
    const e = explainRetention(study({ studyDate: '2019-02-28', birthDate: '2010-02-28' }), DEFAULT_RULE_SET, FAR);
    expect(e).toMatchObject({ rule: 'pediatric-21-plus-3', retentionClass: 'pediatric', retainedThrough: '2034-02-28', retainUntil: '2034-03-01' });
    expect(e.steps).toContain(
      'Rule pediatric-21-plus-3 (a minor at the study) applies: 2019-02-28 + 7 years = 2026-02-28; ' +
        'born 2010-02-28 → 21st birthday 2031-02-28, + 3 years = 2034-02-28 (the 24th birthday); the later of 2026-02-28 and 2034-02-28 = 2034-02-28.',
    );
    expect(e.steps).toContain('2 rules apply; the latest end wins: pediatric-21-plus-3, 2034-02-28.');
  });

  it('keeps 7 years after the study when the 24th birthday comes first', () => {
    const e = explainRetention(study({ studyDate: '2019-06-01', birthDate: '2002-03-01' }), DEFAULT_RULE_SET, FAR);
    expect(e).toMatchObject({ rule: 'pediatric-21-plus-3', retentionClass: 'pediatric', retainedThrough: '2026-06-01', retainUntil: '2026-06-02' });
    expect(e.steps.join('\n')).toContain('+ 3 years = 2026-03-01 (the 24th birthday); the later of 2026-06-01 and 2026-03-01 = 2026-06-01.');
  });

  it('is a minor at 17 years 364 days and an adult on the 18th birthday itself, with the same retention either way', () => {
    const minor = explainRetention(study({ studyDate: '2019-03-09', birthDate: '2001-03-10' }), DEFAULT_RULE_SET, FAR);
    expect(minor).toMatchObject({ retentionClass: 'pediatric', rule: 'pediatric-21-plus-3', retainUntil: '2026-03-10' });
    expect(minor.steps).toContain('Born 2001-03-10 → 18th birthday 2019-03-10; aged 17 on 2019-03-09, a minor at the study.');
    const adult = explainRetention(study({ studyDate: '2019-03-10', birthDate: '2001-03-10' }), DEFAULT_RULE_SET, FAR);
    expect(adult).toMatchObject({ retentionClass: 'adult', rule: 'adult-7y', retainUntil: '2026-03-11' });
    expect(adult.steps).toContain('Rule pediatric-21-plus-3 (a minor at the study) does not apply.');
  });

  it('counts a 29 February child 18 on 28 February of a common year, or still a minor there under the 1 March reading', () => {
    const facts = study({ studyDate: '2026-02-28', birthDate: '2008-02-29' });
    expect(explainRetention(facts, DEFAULT_RULE_SET, FAR).retentionClass).toBe('adult');
    expect(explainRetention(facts, ruleSet({ leapDay: 'mar1' }), FAR).retentionClass).toBe('pediatric');
  });

  it('takes the majority age from the rule set', () => {
    const facts = study({ studyDate: '2019-06-01', birthDate: '2000-01-01' });
    expect(explainRetention(facts, DEFAULT_RULE_SET, FAR).retentionClass).toBe('adult');
    const e = explainRetention(facts, ruleSet({ majorityAge: 21 }), FAR);
    expect(e).toMatchObject({ retentionClass: 'pediatric', rule: 'pediatric-21-plus-3' });
  });

  it("treats a study the catalog classes pediatric as a minor's even when the dates say adult", () => {
    const e = explainRetention(study({ studyDate: '2019-06-01', birthDate: '1990-01-01', retentionClass: 'pediatric' }), DEFAULT_RULE_SET, FAR);
    expect(e.retentionClass).toBe('pediatric');
    expect(e.steps).toContain('Rule pediatric-21-plus-3 (a minor at the study) applies: 2019-06-01 + 7 years = 2026-06-01; born 1990-01-01 → 21st birthday 2011-01-01, + 3 years = 2014-01-01 (the 24th birthday); the later of 2026-06-01 and 2014-01-01 = 2026-06-01.');
  });
});

describe('a missing birth date', () => {
  it('makes a pediatric-class study not computable, whatever the day', () => {
    const e = explainRetention(study({ birthDate: null, retentionClass: 'pediatric' }), DEFAULT_RULE_SET, FAR);
    expect(e).toMatchObject({ rule: 'pediatric-21-plus-3', retentionClass: 'pediatric', retainUntil: null, retainedThrough: null, deletable: false });
    expect(e.reasons).toEqual(['retention cannot be computed: the birth date is missing and rule pediatric-21-plus-3 needs it']);
  });

  it('makes a study of unknown class not computable: it may be a minor', () => {
    const e = explainRetention(study({ birthDate: null }), DEFAULT_RULE_SET, FAR);
    expect(e).toMatchObject({ retentionClass: null, retainUntil: null, deletable: false });
    expect(e.reasons[0]).toMatch(/birth date is missing \(so whether the patient was a minor at the study is unknown\)/);
    expect(e.steps).toContain('Rule pediatric-21-plus-3 (a minor at the study) may apply: needs the birth date for the 21st birthday + 3 years, and it is missing.');
  });

  it('leaves an adult-class study computable', () => {
    const e = explainRetention(study({ birthDate: null, retentionClass: 'adult' }), DEFAULT_RULE_SET, FAR);
    expect(e).toMatchObject({ rule: 'adult-7y', retentionClass: 'adult', birthDate: null, retainUntil: '2026-03-01', deletable: true });
  });

  it('applies an undecidable rule that needs no birth date, as the longer protection', () => {
    const set = ruleSet({ rules: [{ id: 'minor-10y', when: { minorAtStudy: true }, keep: { yearsAfterStudy: 10 } }, { id: 'all-7y', when: {}, keep: { yearsAfterStudy: 7 } }] });
    expect(explainRetention(study({ birthDate: null }), set, FAR)).toMatchObject({ rule: 'minor-10y', retainUntil: '2029-03-01', retentionClass: null });
  });
});

describe('mammography', () => {
  it('keeps an adult mammogram 10 years', () => {
    expect(explainRetention(study({ modality: 'MG' }), DEFAULT_RULE_SET, FAR)).toMatchObject({ rule: 'mammography-10y', retainUntil: '2029-03-01' });
  });

  it("keeps a minor's mammogram by whichever of the mammography and pediatric rules ends later", () => {
    const young = explainRetention(study({ modality: 'MG', studyDate: '2020-06-01', birthDate: '2008-06-01' }), DEFAULT_RULE_SET, FAR);
    expect(young).toMatchObject({ rule: 'pediatric-21-plus-3', retainedThrough: '2032-06-01' });
    const older = explainRetention(study({ modality: 'MG', studyDate: '2020-06-01', birthDate: '2004-01-01' }), DEFAULT_RULE_SET, FAR);
    expect(older).toMatchObject({ rule: 'mammography-10y', retentionClass: 'pediatric', retainedThrough: '2030-06-01' });
  });

  it('recognises MG in a multi-valued modality, in any case', () => {
    expect(explainRetention(study({ modality: 'CT\\mg' }), DEFAULT_RULE_SET, FAR).rule).toBe('mammography-10y');
  });

  it('names the earlier rule when two rules end on the same day', () => {
    const set = ruleSet({ rules: [{ id: 'all-7y-first', when: {}, keep: { yearsAfterStudy: 7 } }, { id: 'all-7y-second', when: {}, keep: { yearsAfterStudy: 7 } }] });
    expect(explainRetention(study({}), set, FAR).rule).toBe('all-7y-first');
  });
});

describe('holds', () => {
  const past = study({});

  it('refuses a study on legal hold in the catalog', () => {
    expect(explainRetention({ ...past, legalHold: true }, DEFAULT_RULE_SET, FAR)).toMatchObject({ deletable: false, reasons: ['legal hold in the study catalog'] });
  });

  it('counts S3 legal holds and Object Lock dates not yet passed, with the latest date', () => {
    const objectLocks = [
      { retainUntil: '2031-01-01T00:00:00.000Z', legalHold: false },
      { retainUntil: '2030-06-01', legalHold: true },
      { retainUntil: '2020-01-01', legalHold: true },
      { retainUntil: null, legalHold: false },
    ];
    const e = explainRetention({ ...past, objectLocks }, DEFAULT_RULE_SET, '2030-06-01');
    expect(e.reasons).toEqual(['S3 legal hold on 2 objects', 'S3 Object Lock retains 2 objects until as late as 2031-01-01']);
    const later = explainRetention({ ...past, objectLocks: objectLocks.map((l) => ({ ...l, legalHold: false })) }, DEFAULT_RULE_SET, '2031-01-01');
    expect(later.reasons).toEqual(['S3 Object Lock retains 1 object until as late as 2031-01-01']);
    expect(explainRetention({ ...past, objectLocks: [{ retainUntil: '2031-01-01', legalHold: false }] }, DEFAULT_RULE_SET, '2031-01-02').deletable).toBe(true);
  });

  it('gives every reason at once', () => {
    const e = explainRetention({ ...past, legalHold: true, objectLocks: [{ retainUntil: '2040-01-01', legalHold: true }] }, DEFAULT_RULE_SET, '2020-01-01');
    expect(e.reasons).toHaveLength(4);
    expect(e.steps.at(-1)).toMatch(/^As of 2020-01-01: not deletable — retention has not ended/);
  });
});

describe('input', () => {
  it('refuses days that are not calendar dates, naming the field', () => {
    expect(() => explainRetention(study({}), DEFAULT_RULE_SET, '2026-02-30')).toThrow(ValidationError);
    expect(() => explainRetention(study({ birthDate: '1970-13-01' }), DEFAULT_RULE_SET, FAR)).toThrow(/^birthDate: /);
    expect(() => explainRetention(study({ studyDate: '20190228' }), DEFAULT_RULE_SET, FAR)).toThrow(/^studyDate: /);
  });

  it('refuses deletion when a rule set built without the validator has no rule for the study', () => {
    const mammographyOnly = { ...DEFAULT_RULE_SET, rules: DEFAULT_RULE_SET.rules.slice(0, 1) };
    const e = explainRetention(study({}), mammographyOnly, FAR);
    expect(e).toMatchObject({ rule: null, retainUntil: null, deletable: false, reasons: ['no rule of rule set default version 1 applies to the study'] });
  });

  it('keeps the rule set version the study was evaluated under', () => {
    expect(explainRetention(study({}), ruleSet({}), FAR)).toMatchObject({ ruleSetId: 'custom', ruleSetVersion: 2 });
  });
});
