// Shared by the retention suites: a generated lake with its archive, people who can re-authenticate,
// and running the jobs a verb queued.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { and, eq } from 'drizzle-orm';
import { userActor } from '@/lib/actor';
import { hashPassword } from '@/lib/auth/password';
import { createSession } from '@/lib/auth/sessions';
import { makeCtx, type Ctx, type Services } from '@/lib/context';
import { jobs, users, type JobRow, type Role } from '@/lib/db/schema';
import { generateLake } from '@/lib/lake/generate';
import type { Truth } from '@/lib/lake/generate/truth';
import { DEFAULT_LAYOUT } from '@/lib/lake/layout';

export const PASSWORD = 'correct horse battery staple';

/** A small generated lake (5 days) ending 2026-10-31, with its archive; removed by `dispose`. */
export async function retentionLake(seed = 41): Promise<{ lakeDir: string; truth: Truth; dispose(): void }> {
  const lakeDir = fs.mkdtempSync(path.join(os.tmpdir(), 'custos-retention-lake-'));
  await generateLake({ outDir: lakeDir, layout: DEFAULT_LAYOUT, days: 5, eventsPerDay: 400, seed, end: '2026-10-31', workers: 0 });
  const truth = JSON.parse(fs.readFileSync(path.join(lakeDir, 'truth.json'), 'utf8')) as Truth;
  return { lakeDir, truth, dispose: () => fs.rmSync(lakeDir, { recursive: true, force: true }) };
}

export type Person = Ctx & { actor: { type: 'user'; userId: string; email: string; name: string; role: Role; sessionId: string } };

/** A local account with a password (so it can step up), signed in now. */
export async function person(services: Services, role: Role, name: string): Promise<Person> {
  const { db } = services.database;
  const email = `${name}.${Math.random().toString(36).slice(2, 8)}@test.custos`;
  const [user] = await db.insert(users).values({ email, name, role, source: 'local', passwordHash: await hashPassword(PASSWORD) }).returning();
  const sessionId = await createSession(db, user!.id, new Date());
  return makeCtx(services, userActor(user!, sessionId)) as Person;
}

/** The same person with a clock of their own (to step past an approval's expiry). */
export function at<T extends Ctx>(ctx: T, when: Date | string): T {
  const t = new Date(when);
  return { ...ctx, now: () => t };
}

export async function queuedJobs(services: Services, kind: string, subject: string): Promise<JobRow[]> {
  return services.database.db.select().from(jobs).where(and(eq(jobs.kind, kind), eq(jobs.subject, subject))).orderBy(jobs.createdAt);
}

/** Runs, in this process, every queued job of a kind about a subject; the jobs as they ended. */
export async function runQueued(services: Services, kind: string, subject: string): Promise<JobRow[]> {
  const out: JobRow[] = [];
  for (const job of await queuedJobs(services, kind, subject)) {
    if (job.state === 'queued') out.push(await services.jobs.runNow(job.id));
  }
  return out;
}
