// Every action the journal records, as `entity.verb`.
export const JOURNAL_ACTIONS = [
  'auth.sign_in',
  'auth.sign_in_failed',
  'auth.sign_in_throttled',
  'auth.sign_out',
  'auth.session_expired',
  'auth.forbidden',
  'user.seed_demo',
  'query.run',
  'query.run_finished',
  'query.run_failed',
  'query.run_cancelled',
  'query.run_rejected',
  'query.export',
  'query.view_results',
  'query.compare',
  'query.rerun',
  'patient.view',
  'journal.verify',
  'lake.compact',
] as const;

export type JournalAction = (typeof JOURNAL_ACTIONS)[number];

export const GENESIS_HASH = '0'.repeat(64);
