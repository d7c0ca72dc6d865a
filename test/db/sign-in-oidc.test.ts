import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '@/lib/auth/password';
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
    const result = await signInWithOidc(services, { sub: 'u1', email: 'Dana@Hospital.example', email_verified: true, name: 'Dana', groups: ['custos-privacy'] }, meta);
    expect(result).toMatchObject({ ok: true, actor: { email: 'dana@hospital.example', role: 'privacy_officer' } });
    const [user] = await services.database.db.select().from(users).where(eq(users.email, 'dana@hospital.example'));
    expect(user).toMatchObject({ source: 'oidc', role: 'privacy_officer', passwordHash: null });
    expect((await services.database.db.select().from(authSessions).where(eq(authSessions.userId, user!.id))).length).toBe(1);
    const [entry] = await services.database.db.select().from(journal).where(eq(journal.subject, 'dana@hospital.example'));
    expect(entry).toMatchObject({ action: 'auth.sign_in', details: { method: 'oidc', role: 'privacy_officer' } });
  });

  it('follows a group change at the next sign-in', async () => {
    const result = await signInWithOidc(services, { sub: 'u1', email: 'dana@hospital.example', email_verified: true, groups: ['custos-audit'] }, meta);
    expect(result).toMatchObject({ ok: true, actor: { role: 'auditor' } });
  });

  it('refuses a person with no mapped group, creating nothing, and journals the refusal', async () => {
    const before = (await services.database.db.select().from(users)).length;
    expect(await signInWithOidc(services, { sub: 'u2', email: 'eve@hospital.example', email_verified: true, groups: ['staff'] }, meta)).toEqual({ ok: false, reason: 'no_role' });
    expect(await signInWithOidc(services, { email: 'mallory@hospital.example', email_verified: true, groups: ['custos-privacy'] }, meta)).toEqual({ ok: false, reason: 'no_subject' });
    expect((await services.database.db.select().from(users)).length).toBe(before);
    const [entry] = await services.database.db.select().from(journal).where(eq(journal.subject, 'eve@hospital.example'));
    expect(entry).toMatchObject({ action: 'auth.sign_in_failed', details: { method: 'oidc', reason: 'no_role' } });
  });

  it('refuses a disabled account even with a valid group', async () => {
    await services.database.db.update(users).set({ disabled: true }).where(eq(users.email, 'dana@hospital.example'));
    expect(await signInWithOidc(services, { sub: 'u1', email: 'dana@hospital.example', email_verified: true, groups: ['custos-privacy'] }, meta)).toEqual({ ok: false, reason: 'disabled' });
    await services.database.db.update(users).set({ disabled: false }).where(eq(users.email, 'dana@hospital.example'));
  });

  it('keys a person on (issuer, subject): a changed email is still the same person', async () => {
    const first = await signInWithOidc(services, { sub: 'u1', email: 'dana@hospital.example', email_verified: true, groups: ['custos-privacy'] }, meta);
    const renamed = await signInWithOidc(services, { sub: 'u1', email: 'dana.lee@hospital.example', email_verified: true, groups: ['custos-privacy'] }, meta);
    if (!first.ok || !renamed.ok) throw new Error('sign-in failed');
    expect(renamed.actor.userId).toBe(first.actor.userId);
    expect(renamed.actor.email).toBe('dana.lee@hospital.example');
  });

  it('never links an identity to a local or demo account by email, nor takes its role', async () => {
    const [local] = await services.database.db
      .insert(users)
      .values({ email: 'privacy@hospital.example', name: 'Priya', role: 'privacy_officer', source: 'local', passwordHash: await hashPassword('a-local-password') })
      .returning();
    const result = await signInWithOidc(services, { sub: 'attacker', email: 'PRIVACY@hospital.example', email_verified: true, groups: ['custos-audit'] }, meta);
    if (!result.ok) throw new Error('sign-in failed');
    expect(result.actor.userId).not.toBe(local!.id);
    const [after] = await services.database.db.select().from(users).where(eq(users.id, local!.id));
    expect(after).toMatchObject({ role: 'privacy_officer', source: 'local', passwordHash: local!.passwordHash });
  });

  it('shows an email only when the provider says it is verified', async () => {
    const result = await signInWithOidc(
      services,
      { sub: 'u9', email: 'someone-else@hospital.example', email_verified: false, preferred_username: 'frank', name: 'Frank', groups: ['custos-audit'] },
      meta,
    );
    if (!result.ok) throw new Error('sign-in failed');
    expect(result.actor.email).toBe('frank');
    const [row] = await services.database.db.select().from(users).where(eq(users.id, result.actor.userId));
    expect(row).toMatchObject({ email: 'frank', oidcSubject: 'u9', oidcIssuer: 'https://idp.example.org' });
    expect(JSON.stringify(await services.database.db.select().from(journal))).not.toContain('someone-else@hospital.example');
  });
});
