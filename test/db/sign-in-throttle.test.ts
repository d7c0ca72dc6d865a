import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientAddress } from '@/lib/auth/client-address';
import { signInWithPassword } from '@/lib/auth/sign-in';
import { journal, signInThrottle } from '@/lib/db/schema';
import { testServices, type TestServices } from '../support/services';

// Throttling that holds under concurrency: counted before the password is checked, per account
// name, per client address and portal-wide, with exponential back-off and a bounded journal.
describe(`sign-in throttling (${process.env.CUSTOS_TEST_DB})`, () => {
  let services: TestServices;
  beforeAll(async () => {
    services = await testServices({
      env: { CUSTOS_SIGNIN_MAX_FAILURES: '5', CUSTOS_SIGNIN_MAX_FAILURES_PER_SOURCE: '8', CUSTOS_SIGNIN_MAX_FAILURES_GLOBAL: '40', CUSTOS_SIGNIN_BACKOFF_SECONDS: '30', CUSTOS_SIGNIN_LOCK_MINUTES: '15' },
    });
  });
  afterAll(async () => services?.dispose());

  const attempt = (email: string, password: string, extra: { sourceIp?: string; now?: Date } = {}) =>
    signInWithPassword(services, { email, password }, { requestId: 'test-throttle-0001', ...extra });
  const row = async (key: string) => (await services.database.db.select().from(signInThrottle).where(eq(signInThrottle.key, key)))[0];
  const entries = async (subject: string) =>
    (await services.database.db.select().from(journal).where(eq(journal.subject, subject)).orderBy(journal.seq)).map((e) => ({ action: e.action, details: e.details }));

  it('evaluates at most the allowance of 20 simultaneous wrong guesses, and then refuses the right password too', async () => {
    const email = 'security@demo.custos';
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => attempt(email, `guess-${i}`)));
    expect(await row(`account:${email}`)).toMatchObject({ failures: 5, refused: 15 });
    expect(results.filter((r) => !r.ok && r.reason === 'invalid')).toHaveLength(4);
    expect(results.filter((r) => !r.ok && r.reason === 'locked')).toHaveLength(16); // the fifth says the back-off began
    expect(await attempt(email, 'custos-demo')).toMatchObject({ ok: false, reason: 'locked', key: 'account' });
    // bounded journal: the first failure and the start of the back-off, nothing per refused guess
    expect((await entries(email)).map((e) => e.action).sort()).toEqual(['auth.sign_in_failed', 'auth.sign_in_throttled']);
  });

  it('doubles the wait with each failure past the allowance', async () => {
    // a clock of its own: this portal's counters live in 2030
    const later = await testServices({ env: { CUSTOS_SIGNIN_MAX_FAILURES: '5', CUSTOS_SIGNIN_BACKOFF_SECONDS: '30' } });
    const attempt = (email: string, password: string, extra: { now: Date }) => signInWithPassword(later, { email, password }, { requestId: 'test-throttle-0002', ...extra });
    const row = async (key: string) => (await later.database.db.select().from(signInThrottle).where(eq(signInThrottle.key, key)))[0];
    const entries = async (subject: string) => (await later.database.db.select().from(journal).where(eq(journal.subject, subject)).orderBy(journal.seq)).map((e) => ({ action: e.action, details: e.details }));
    const email = 'approver2@demo.custos';
    const t0 = new Date('2030-01-01T00:00:00Z');
    const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);
    for (let i = 0; i < 4; i++) expect(await attempt(email, `w${i}`, { now: at(i) })).toMatchObject({ reason: 'invalid' });
    expect(await attempt(email, 'w4', { now: at(4) })).toMatchObject({ reason: 'locked', seconds: 30 });
    expect(await attempt(email, 'w5', { now: at(20) })).toMatchObject({ reason: 'locked', seconds: 14 }); // refused, unevaluated
    expect(await attempt(email, 'w6', { now: at(35) })).toMatchObject({ reason: 'invalid' }); // the back-off passed: evaluated
    expect(await attempt(email, 'w7', { now: at(36) })).toMatchObject({ reason: 'locked', seconds: 59 });
    expect(await row(`account:${email}`)).toMatchObject({ failures: 6, refused: 2 });
    // after the back-off, the right password still works and the account starts afresh
    expect((await attempt(email, 'custos-demo', { now: at(200) })).ok).toBe(true);
    expect(await row(`account:${email}`)).toMatchObject({ failures: 0, refused: 0 });
    const summary = (await entries(email)).find((e) => e.action === 'auth.sign_in_failures');
    expect(summary?.details).toMatchObject({ key: 'account', failures: 6, refused: 2 });
    await later.dispose();
  });

  it('limits failures per client address across accounts (password spraying)', async () => {
    const sourceIp = '198.51.100.7';
    for (let i = 0; i < 8; i++) await attempt(`sprayed-${i}@example.org`, 'Winter2026!', { sourceIp });
    const refused = await attempt('privacy@demo.custos', 'custos-demo', { sourceIp });
    expect(refused).toMatchObject({ ok: false, reason: 'locked', key: 'source' });
    expect((await attempt('privacy@demo.custos', 'custos-demo', { sourceIp: '198.51.100.8' })).ok).toBe(true);
  });

  it('limits failures portal-wide, whatever the names and addresses', async () => {
    const before = (await row('global'))?.failures ?? 0;
    for (let i = before; i < 40; i++) await attempt(`nobody-${i}@example.org`, 'x', { sourceIp: `203.0.113.${i % 250}` });
    expect(await attempt('admin@demo.custos', 'custos-demo', { sourceIp: '192.0.2.200' })).toMatchObject({ ok: false, reason: 'locked', key: 'global' });
  });
});

describe('the client address', () => {
  it('is read from the hop the site’s own proxies wrote, never from what the client claims', () => {
    expect(clientAddress('10.66.66.66', 0)).toBeNull();
    expect(clientAddress('10.66.66.66, 203.0.113.9', 1)).toBe('203.0.113.9');
    expect(clientAddress('10.66.66.66, 203.0.113.9, 198.51.100.1', 2)).toBe('203.0.113.9');
    expect(clientAddress('203.0.113.9', 2)).toBeNull();
    expect(clientAddress('not-an-address', 1)).toBeNull();
    expect(clientAddress(['10.0.0.1', '2001:db8::1'], 1)).toBe('2001:db8::1');
  });
});
