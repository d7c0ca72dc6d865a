import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveSession } from '@/lib/auth/sessions';
import { signInWithPassword } from '@/lib/auth/sign-in';
import { DEMO_ACCOUNTS } from '@/lib/auth/demo-accounts';
import { authSessions, journal, users } from '@/lib/db/schema';
import { testServices, type TestServices } from '../support/services';

const meta = { requestId: 'test-request-0001' };

describe(`sign-in (${process.env.CUSTOS_TEST_DB})`, () => {
  let services: TestServices;
  beforeAll(async () => {
    services = await testServices({ env: { CUSTOS_SIGNIN_MAX_FAILURES: '3', CUSTOS_SIGNIN_LOCK_MINUTES: '15' } });
  });
  afterAll(async () => services?.dispose());

  const actions = async (subject: string) =>
    (await services.database.db.select().from(journal).where(eq(journal.subject, subject)).orderBy(journal.seq)).map((r) => r.action);

  it('seeds one demo account per role with an argon2id hash', async () => {
    const rows = await services.database.db.select().from(users);
    expect(rows.map((r) => r.email).sort()).toEqual(DEMO_ACCOUNTS.map((a) => a.email).sort());
    for (const row of rows) expect(row.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
  });

  it('signs in with the demo password, opens a server-side session and journals it', async () => {
    const result = await signInWithPassword(services, { email: 'PRIVACY@demo.custos ', password: 'custos-demo' }, meta);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.actor).toMatchObject({ type: 'user', role: 'privacy_officer', email: 'privacy@demo.custos' });
    const [session] = await services.database.db.select().from(authSessions).where(eq(authSessions.id, result.sessionId));
    expect(session?.endedAt).toBeNull();
    expect(await actions('privacy@demo.custos')).toEqual(['auth.sign_in']);
  });

  it('refuses a wrong password without saying whether the account exists', async () => {
    const bad = await signInWithPassword(services, { email: 'security@demo.custos', password: 'wrong-password' }, meta);
    const unknown = await signInWithPassword(services, { email: 'nobody@demo.custos', password: 'wrong-password' }, meta);
    expect(bad).toEqual({ ok: false, reason: 'invalid' });
    expect(unknown).toEqual({ ok: false, reason: 'invalid' });
    expect(await actions('nobody@demo.custos')).toEqual(['auth.sign_in_failed']);
  });

  it('backs an account name off after repeated failures, even with the right password', async () => {
    const email = 'auditor@demo.custos';
    expect((await signInWithPassword(services, { email, password: 'x1-wrong' }, meta)).ok).toBe(false);
    expect(await signInWithPassword(services, { email, password: 'x2-wrong' }, meta)).toEqual({ ok: false, reason: 'invalid' });
    // the third failure uses the allowance up and says so; the next attempt waits out the back-off
    expect(await signInWithPassword(services, { email, password: 'x3-wrong' }, meta)).toEqual({ ok: false, reason: 'locked', minutes: 1, seconds: 30, key: 'account' });
    expect(await signInWithPassword(services, { email, password: 'custos-demo' }, meta)).toMatchObject({ ok: false, reason: 'locked', key: 'account' });
    // one entry for the first failure and one when the back-off began; the rest are counted
    expect(await actions(email)).toEqual(['auth.sign_in_failed', 'auth.sign_in_throttled']);
  });

  it('expires a session after the idle limit and keeps an active one alive', async () => {
    const result = await signInWithPassword(services, { email: 'admin@demo.custos', password: 'custos-demo' }, meta);
    if (!result.ok) throw new Error('sign-in failed');
    const { db } = services.database;
    const t0 = new Date();
    expect((await resolveSession(db, result.sessionId, new Date(t0.getTime() + 14 * 60_000), 15)).state).toBe('active');
    // activity at +14 min moved the idle clock: +28 min is still within 15 minutes of it
    expect((await resolveSession(db, result.sessionId, new Date(t0.getTime() + 28 * 60_000), 15)).state).toBe('active');
    expect((await resolveSession(db, result.sessionId, new Date(t0.getTime() + 44 * 60_000), 15)).state).toBe('idle');
    expect((await resolveSession(db, result.sessionId, new Date(t0.getTime() + 45 * 60_000), 15)).state).toBe('ended');
    const [row] = await db.select().from(authSessions).where(and(eq(authSessions.id, result.sessionId)));
    expect(row?.endReason).toBe('idle');
  });
});

describe(`demo accounts outside the embedded default (${process.env.CUSTOS_TEST_DB})`, () => {
  it('refuses demo accounts once an identity provider is configured, unless CUSTOS_DEMO=1', async () => {
    const services = await testServices({
      env: { CUSTOS_OIDC_ISSUER: 'https://idp.example.org', CUSTOS_OIDC_CLIENT_ID: 'custos', CUSTOS_OIDC_CLIENT_SECRET: 'secret', CUSTOS_DEMO: '0' },
    });
    try {
      expect(services.env.demoAccounts).toBe(false);
      // accounts created earlier (here: by a direct seed) still exist but may not sign in
      const { ensureDemoAccounts } = await import('@/lib/auth/demo-accounts');
      await ensureDemoAccounts(services.database.db, 'custos-demo');
      expect(await signInWithPassword(services, { email: 'privacy@demo.custos', password: 'custos-demo' }, meta)).toEqual({ ok: false, reason: 'demo_disabled' });
    } finally {
      await services.dispose();
    }
  });
});
