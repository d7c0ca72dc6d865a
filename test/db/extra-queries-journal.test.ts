import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareDatabase } from '@/lib/boot/prepare-database';
import { ConfigError, resetEnvCache } from '@/lib/config/env';
import { journal } from '@/lib/db/schema';
import { verifyJournal } from '@/lib/journal/verify';
import { testServices, type TestServices } from '../support/services';

// A site's own saved queries are code: each start journals which ones it loaded (folder and SQL
// hashes) when that differs from the journal's last record, and stays quiet otherwise.
describe(`extra saved queries journaled at start (${process.env.CUSTOS_TEST_DB})`, () => {
  let services: TestServices;
  const folders: string[] = [];

  const query = (id: string, body: string) =>
    `/*---\nid: ${id}\ntitle: ${id}\ndescription: A site query.\nroles: [security_officer]\ntables: [study_catalog]\ncolumns: [{ name: n, description: A number. }]\n---*/\n${body}\n`;
  function folder(files: Record<string, string>, mode = 0o700): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'custos-extra-journal-'));
    folders.push(dir);
    for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text, { mode: 0o600 });
    fs.chmodSync(dir, mode);
    return dir;
  }
  function useFolder(dir: string | null) {
    if (dir) process.env.CUSTOS_EXTRA_QUERIES_DIR = dir;
    else delete process.env.CUSTOS_EXTRA_QUERIES_DIR;
    resetEnvCache();
  }
  const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
  const entries = () => services.database.db.select().from(journal).where(eq(journal.action, 'query.extra_loaded')).orderBy(journal.seq);

  beforeAll(async () => {
    useFolder(null);
    services = await testServices();
  });
  afterAll(async () => {
    await services?.dispose();
    useFolder(null);
    for (const dir of folders) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('stays quiet when no extra queries were ever configured', async () => {
    await prepareDatabase(services);
    expect(await entries()).toEqual([]);
  });

  it('journals the folder and each query’s SQL hash when the set differs from the last record, in its own entry', async () => {
    const first = folder({ 'site-a.sql': query('site-a', 'SELECT 1 AS n FROM study_catalog') });
    useFolder(first);
    await prepareDatabase(services);
    let rows = await entries();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      actorType: 'system',
      subject: null,
      details: { dir: first, queries: [{ id: 'site-a', sqlSha256: sha256('SELECT 1 AS n FROM study_catalog') }] },
    });

    // the same set again: a quiet start
    await prepareDatabase(services);
    expect(await entries()).toHaveLength(1);

    // a query changed and one added
    const second = folder({
      'site-a.sql': query('site-a', 'SELECT 2 AS n FROM study_catalog'),
      'site-b.sql': query('site-b', 'SELECT count(*) AS n FROM study_catalog'),
    });
    useFolder(second);
    await prepareDatabase(services);
    await prepareDatabase(services);
    rows = await entries();
    expect(rows).toHaveLength(2);
    expect(rows[1]!.details).toEqual({
      dir: second,
      queries: [
        { id: 'site-a', sqlSha256: sha256('SELECT 2 AS n FROM study_catalog') },
        { id: 'site-b', sqlSha256: sha256('SELECT count(*) AS n FROM study_catalog') },
      ],
    });

    // the site's queries removed: recorded once
    useFolder(null);
    await prepareDatabase(services);
    await prepareDatabase(services);
    rows = await entries();
    expect(rows).toHaveLength(3);
    expect(rows[2]!.details).toEqual({ dir: null, queries: [] });
    expect((await verifyJournal(services.database.db)).ok).toBe(true);
  });

  it('stops the start, journaling nothing, when the folder is not owner-only', async () => {
    const open = folder({ 'site-a.sql': query('site-a', 'SELECT 1 AS n FROM study_catalog') }, 0o755);
    useFolder(open);
    await expect(prepareDatabase(services)).rejects.toThrow(ConfigError);
    await expect(prepareDatabase(services)).rejects.toThrow(`CUSTOS_EXTRA_QUERIES_DIR ${open} has mode 0755`);
    expect(await entries()).toHaveLength(3);
    useFolder(null);
  });
});
