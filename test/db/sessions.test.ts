import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveSession } from '@/lib/auth/sessions';
import { signInWithPassword } from '@/lib/auth/sign-in';
import { authSessions, journal } from '@/lib/db/schema';
import { testServices, type TestServices } from '../support/services';

// A session ends after its absolute lifetime however active it is, and background polling (a run
// page watching its query) does not count as the person's activity.
describe(`session lifetime (${process.env.CUSTOS_TEST_DB})`, () => {
  let services: TestServices;
  beforeAll(async () => {
    services = await testServices();
  });
  afterAll(async () => services?.dispose());
  const signIn = async (email: string) => {
    const result = await signInWithPassword(services, { email, password: 'custos-demo' }, { requestId: 'test-sessions-0001' });
    if (!result.ok) throw new Error('sign-in failed');
    return result.sessionId;
  };

  it('ends a session kept busy all day once it is older than its lifetime, and journals why', async () => {
    const sessionId = await signIn('security@demo.custos');
    const t0 = Date.now();
    const at = (minutes: number) => new Date(t0 + minutes * 60_000);
    for (let m = 10; m < 12 * 60; m += 10) {
      expect((await resolveSession(services.database.db, sessionId, at(m), 15, 'r', { maxAgeHours: 12 })).state).toBe('active');
    }
    expect((await resolveSession(services.database.db, sessionId, at(12 * 60 + 1), 15, 'r', { maxAgeHours: 12 })).state).toBe('lifetime');
    const [row] = await services.database.db.select().from(authSessions).where(eq(authSessions.id, sessionId));
    expect(row?.endReason).toBe('lifetime');
    const [entry] = await services.database.db.select().from(journal).where(eq(journal.action, 'auth.session_ended'));
    expect(entry?.details).toMatchObject({ reason: 'lifetime', maxAgeHours: 12, sessionId });
  });

  it('does not keep a session alive for polling alone', async () => {
    const sessionId = await signIn('auditor@demo.custos');
    const t0 = Date.now();
    const at = (minutes: number) => new Date(t0 + minutes * 60_000);
    for (let m = 1; m <= 14; m++) {
      expect((await resolveSession(services.database.db, sessionId, at(m), 15, 'r', { activity: false })).state).toBe('active');
    }
    expect((await resolveSession(services.database.db, sessionId, at(16), 15, 'r', { activity: false })).state).toBe('idle');
  });
});
