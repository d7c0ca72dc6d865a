import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const FIXTURE_QUERIES = path.resolve(__dirname, '..', 'fixtures', 'queries');

/**
 * A private copy of the fixture saved queries. Saved queries are code the portal runs, so their folder
 * must be the owner's alone (mkdtemp gives 0700), which a checkout does not guarantee.
 */
export function fixtureQueriesDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'custos-extra-queries-'));
  fs.cpSync(FIXTURE_QUERIES, dir, { recursive: true });
  return dir;
}

/** Env that loads the fixture queries; they include queries for the privacy officer, so PHI roles are allowed. */
export function fixtureQueriesEnv(): { CUSTOS_EXTRA_QUERIES_DIR: string; CUSTOS_EXTRA_QUERIES_PHI: string } {
  return { CUSTOS_EXTRA_QUERIES_DIR: fixtureQueriesDir(), CUSTOS_EXTRA_QUERIES_PHI: '1' };
}
