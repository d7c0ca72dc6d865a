import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServices } from '@/lib/boot/services';
import { parseEnv } from '@/lib/config/env';
import type { Services } from '@/lib/context';
import { jobs } from '@/lib/db/schema';
import { deletionDecisions, deletionRequests } from '@/lib/db/schema/retention';
import { approveDeletionRequest } from '@/lib/retention/approve-deletion-request';
import { createDeletionRequest } from '@/lib/retention/create-deletion-request';
import { DELETION_JOB } from '@/lib/retention/job-kinds';
import { testServices, type TestServices } from '../../support/services';
import { PASSWORD, at, person, retentionLake, type Person } from '../../retention/support';

// Approvals are counted under the request's row lock: on a real PostgreSQL server, with approvals
// arriving at once over separate connections (and from two portal processes' pools), every request
// ends with exactly two decisions, one state change to approved and one execution job; a person
// submitting twice at once is counted once.
describe('approvals at once, over concurrent connections (postgres)', () => {
  let services: TestServices;
  let other: Services;
  let lake: Awaited<ReturnType<typeof retentionLake>>;
  let otherDataDir: string;
  let po: Person;
  const today = new Date('2026-11-02T10:00:00Z');

  beforeAll(async () => {
    lake = await retentionLake(53);
    services = await testServices({ lakeDir: lake.lakeDir });
    otherDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'custos-race-'));
    // a second portal process: its own pool on the same database
    other = await createServices(
      parseEnv({ CUSTOS_DATA_DIR: otherDataDir, DATABASE_URL: services.testDb.url!, CUSTOS_DEMO: '1', NEXTAUTH_URL: 'https://custos.test', CUSTOS_LAKE_DIR: lake.lakeDir }),
      { worker: { concurrency: 1 } },
    );
    po = at(await person(services, 'privacy_officer', 'priya'), today);
  });
  afterAll(async () => {
    await other?.close();
    await services?.dispose();
    lake?.dispose();
    if (otherDataDir) fs.rmSync(otherDataDir, { recursive: true, force: true });
  });

  it('counts two approvals given at once exactly once each, on every one of many requests', async () => {
    const due = lake.truth.retentionDue.slice(0, 8);
    const requests = [];
    for (const uid of due) requests.push(await createDeletionRequest(po, { studies: [uid], reason: 'Concurrent approval test cohort' }));
    const pairs: [Person, Person][] = [];
    for (let i = 0; i < requests.length; i++) {
      const first = at(await person(services, 'approver', `first${i}`), today);
      const secondHere = at(await person(services, 'approver', `second${i}`), today);
      // the second approver acts through the other process's pool
      const second = { ...secondHere, services: other, db: other.database.db } as Person;
      pairs.push([first, second]);
    }
    const outcomes = await Promise.all(
      requests.flatMap((r, i) =>
        pairs[i]!.map((who) => approveDeletionRequest(who, { requestId: r.id, manifestSha256: r.manifestSha256, password: PASSWORD }).then((x) => ({ ...x, requestId: r.id }))),
      ),
    );
    const { db } = services.database;
    const ids = requests.map((r) => r.id);
    const decisions = await db.select().from(deletionDecisions).where(inArray(deletionDecisions.requestId, ids));
    const queued = await db.select().from(jobs).where(inArray(jobs.subject, ids));
    for (const r of requests) {
      const mine = outcomes.filter((o) => o.requestId === r.id);
      expect(mine.map((o) => o.approvals).sort()).toEqual([1, 2]);
      expect(mine.filter((o) => o.final)).toHaveLength(1);
      expect(decisions.filter((d) => d.requestId === r.id)).toHaveLength(2);
      expect(queued.filter((j) => j.subject === r.id && j.kind === DELETION_JOB)).toHaveLength(1);
      const [row] = await db.select().from(deletionRequests).where(eq(deletionRequests.id, r.id));
      expect(row!.state).toBe('approved');
    }
  });

  it('counts a double submit once, even when both arrive at once over two connections', async () => {
    const uid = lake.truth.retentionDue[10]!;
    const r = await createDeletionRequest(po, { studies: [uid], reason: 'Double submit test cohort' });
    const ada = at(await person(services, 'approver', 'ada'), today);
    const adaElsewhere = { ...ada, services: other, db: other.database.db } as Person;
    const settled = await Promise.allSettled(
      [ada, adaElsewhere, ada].map((who) => approveDeletionRequest(who, { requestId: r.id, manifestSha256: r.manifestSha256, password: PASSWORD })),
    );
    expect(settled.filter((s) => s.status === 'fulfilled')).toHaveLength(1);
    for (const s of settled) if (s.status === 'rejected') expect(s.reason).toMatchObject({ code: 'conflict' });
    const decisions = await services.database.db.select().from(deletionDecisions).where(eq(deletionDecisions.requestId, r.id));
    expect(decisions).toHaveLength(1);
    const [row] = await services.database.db.select().from(deletionRequests).where(eq(deletionRequests.id, r.id));
    expect(row!.state).toBe('pending');
  });
});
