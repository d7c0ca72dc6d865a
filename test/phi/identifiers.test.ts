import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createKeyRing } from '@/lib/keys/key-ring';
import { DEMO_CATALOG_KEY, maskIdentifier, patientIdHash } from '@/lib/phi';

describe('the MRN hash the catalog is keyed by', () => {
  it('is HMAC-SHA-256 (RFC 4231 test case 2)', () => {
    expect(createHmac('sha256', 'Jefe').update('what do ya want for nothing?').digest('hex')).toBe('5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843');
    expect(patientIdHash('what do ya want for nothing?', 'Jefe')).toBe('5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843');
  });

  it('hashes the MRN exactly as written, lowercase hex (a fixed vector: openssl dgst -sha256 -hmac)', () => {
    expect(patientIdHash('MRN0001234', DEMO_CATALOG_KEY)).toBe('c141e71907faaa97f058c1bd923e2e2946c46d0bebb65007d06c327390c8f4c3');
    expect(patientIdHash(' MRN0001234', DEMO_CATALOG_KEY)).not.toBe(patientIdHash('MRN0001234', DEMO_CATALOG_KEY));
  });

  it('masks all but the last four characters for people who may read PHI', () => {
    expect(maskIdentifier('MRN9742782')).toBe('••••••2782');
    expect(maskIdentifier('1234')).toBe('••••');
  });
});

describe('opaque references and sealing', () => {
  const keys = createKeyRing(randomBytes(32));

  it('gives each value one stable reference that reveals nothing of it', () => {
    const hash = patientIdHash('MRN9742782', DEMO_CATALOG_KEY);
    const ref = keys.pseudonym('patient', hash);
    expect(ref).toMatch(/^P-[0-9A-HJKMNP-TV-Z]{12}$/);
    expect(keys.pseudonym('patient', hash)).toBe(ref);
    expect(keys.pseudonym('patient', patientIdHash('MRN9742783', DEMO_CATALOG_KEY))).not.toBe(ref);
    expect(keys.pseudonym('study', hash)).not.toBe(ref.replace('P-', 'S-'));
    // another installation's references differ, so they cannot be matched across sites
    expect(createKeyRing(randomBytes(32)).pseudonym('patient', hash)).not.toBe(ref);
  });

  it('opens a sealed value only unaltered and in its own context', () => {
    const sealed = keys.seal(Buffer.from('{"patient":"abc"}'), 'query_runs.phi:run-1');
    expect(keys.open(sealed, 'query_runs.phi:run-1').toString()).toBe('{"patient":"abc"}');
    expect(() => keys.open(sealed, 'query_runs.phi:run-2')).toThrow();
    const flipped = Buffer.from(sealed);
    flipped[flipped.length - 1]! ^= 1;
    expect(() => keys.open(flipped, 'query_runs.phi:run-1')).toThrow();
    expect(sealed.toString('latin1')).not.toContain('patient');
  });
});
