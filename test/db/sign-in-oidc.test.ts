import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signInWithOidc } from '@/lib/auth/sign-in-oidc';
import { authSessions, journal, users } from '@/lib/db/schema';
import { testServices, type TestServices } from '../support/services';

describe(`OIDC sign-in (${process.env.CUSTOS_TEST_DB})`, () => {
  let services: TestServices;
  beforeAll(async () => {
    services = await testServices({
      env: {
        CUSTOS_OIDC_ISSUER: 'https://idp.example.org',
        CUSTOS_OIDC_CLIENT_ID: 'custos',
        CUSTOS_OIDC_CLIENT_SECRET: 'secret',
        CUSTOS_OIDC_ROLE_MAP: 'custos-privacy=privacy_officer,custos-audit=auditor',
      },
    });
  });
  afterAll(async () => services?.dispose());
  const meta = { requestId: 'oidc-test-0001' };

  it('creates the person with the mapped role, opens a session and journals it', async () => {
    const result = await signInWithOidc(services, { sub: 'u1', email: 'Dana@Hospital.example', name: 'Dana', groups: ['custos-privacy'] }, meta);
    expect(result).toMatchObject({ ok: true, actor: { email: 'dana@hospital.example', role: 'privacy_officer' } });
    const [user] = await services.database.db.select().from(users).where(eq(users.email, 'dana@hospital.example'));
    expect(user).toMatchObject({ source: 'oidc', role: 'privacy_officer', passwordHash: null });
    expect((await services.database.db.select().from(authSessions).where(eq(authSessions.userId, user!.id))).length).toBe(1);
    const [entry] = await services.database.db.select().from(journal).where(eq(journal.subject, 'dana@hospital.example'));
    expect(entry).toMatchObject({ action: 'auth.sign_in', details: { method: 'oidc', role: 'privacy_officer' } });
  });

  it('follows a group change at the next sign-in', async () => {
    const result = await signInWithOidc(services, { sub: 'u1', email: 'dana@hospital.example', groups: ['custos-audit'] }, meta);
    expect(result).toMatchObject({ ok: true, actor: { role: 'auditor' } });
  });

  it('refuses a person with no mapped group, creating nothing, and journals the refusal', async () => {
    const before = (await services.database.db.select().from(users)).length;
    expect(await signInWithOidc(services, { sub: 'u2', email: 'eve@hospital.example', groups: ['staff'] }, meta)).toEqual({ ok: false, reason: 'no_role' });
    expect(await signInWithOidc(services, { sub: 'u3', groups: ['custos-privacy'] }, meta)).toEqual({ ok: false, reason: 'no_email' });
    expect((await services.database.db.select().from(users)).length).toBe(before);
    const [entry] = await services.database.db.select().from(journal).where(eq(journal.subject, 'eve@hospital.example'));
    expect(entry).toMatchObject({ action: 'auth.sign_in_failed', details: { method: 'oidc', reason: 'no_role' } });
  });

  it('refuses a disabled account even with a valid group', async () => {
    await services.database.db.update(users).set({ disabled: true }).where(eq(users.email, 'dana@hospital.example'));
    expect(await signInWithOidc(services, { sub: 'u1', email: 'dana@hospital.example', groups: ['custos-privacy'] }, meta)).toEqual({ ok: false, reason: 'disabled' });
  });
});
