// Every action the journal records, as `entity.verb`, with the exact shape of its details: a new
// action or a changed detail is a compile-time change here, not a convention.

type SourceIp = { sourceIp?: string };

export type JournalEvents = {
  'auth.sign_in': ({ method: 'password' } & SourceIp) | { method: 'oidc'; role: string };
  'auth.sign_in_failed':
    | ({ reason: 'unknown_account' | 'disabled' | 'bad_password' | 'demo_disabled' } & SourceIp)
    | { method: 'oidc'; reason: string };
  'auth.sign_in_throttled': { key: 'account' | 'source' | 'global'; retryAfterSeconds: number } & SourceIp;
  'auth.sign_in_failures': { key: 'account' | 'source' | 'global'; failures: number; refused: number; from: string; to: string };
  'auth.sign_out': { sessionId: string };
  'auth.session_expired': { idleMinutes: number };
  'auth.session_ended': { reason: 'disabled'; sessionId: string } | { reason: 'lifetime'; maxAgeHours: number; sessionId: string };
  'auth.forbidden': { permission: string };
  'user.seed_demo': { created: number; passwordsReset: number };
  'query.run': {
    queryId: string;
    sqlSha256: string;
    engine: string;
    from?: string;
    to?: string;
    parameters: string[];
    rerunOf?: string;
  };
  'query.run_finished': { queryId: string; rowCount: number; resultSha256: string; bytesScanned: number; engineExecutionId: string };
  'query.run_failed': { queryId: string; error: string };
  'query.run_cancelled': { queryId: string; error: string };
  'query.runs_interrupted': { runIds: string[] };
  /** The site's own saved queries (CUSTOS_EXTRA_QUERIES_DIR) a start loaded, when they changed. */
  'query.extra_loaded': { dir: string | null; queries: { id: string; sqlSha256: string }[] };
  'query.run_rejected':
    | { reason: 'invalid_parameters'; fields: string[] }
    | { reason: 'scan_limit'; estimatedBytes: string }
    | { reason: 'concurrency_user' | 'concurrency_portal' | 'hourly_budget' };
  'query.export': { queryId: string; format: string; rowCount: number };
  'query.export_downloaded': { format: string };
  'query.results_purged': { runIds: string[]; retentionDays: number };
  'query.export_refused': { queryId: string; format: string; reason: 'result_hash_mismatch' };
  'query.view_results': { queryId: string; offset: number; rows: number };
  'query.compare': { before: string; added: number; removed: number };
  'patient.view': { studiesRun: string; from: string; to: string; patient: string };
  'journal.verify':
    | { ok: true; entries: number; lastHash: string; checkpoints: number; latestCheckpointSeq: number | null }
    | { ok: false; entries: number; problem: string; seq: number };
  'lake.compact': { rawFiles: number; records: number; partitionsWritten: number; seconds: number };
  'journal.checkpoint': { seq: number; hash: string; object: string; versionId: string };
  'job.created': { kind: string; about?: string };
  'job.started': { kind: string; attempt: number; worker: string };
  'job.taken_over': { kind: string; attempt: number; worker: string; previousWorker: string };
  'job.finished': { kind: string; attempt: number };
  'job.failed': { kind: string; attempt: number; error: string; willRetry: boolean };
  'job.cancelled': { kind: string; attempt: number };
};

export type JournalAction = keyof JournalEvents;

/** What a caller appends: the action and exactly its details. */
export type JournalEntryInput = {
  [A in JournalAction]: { action: A; subject?: string | null; details: JournalEvents[A] };
}[JournalAction];

const ACTIONS = {
  'auth.sign_in': true,
  'auth.sign_in_failed': true,
  'auth.sign_in_throttled': true,
  'auth.sign_in_failures': true,
  'auth.sign_out': true,
  'auth.session_expired': true,
  'auth.session_ended': true,
  'auth.forbidden': true,
  'user.seed_demo': true,
  'query.run': true,
  'query.run_finished': true,
  'query.run_failed': true,
  'query.run_cancelled': true,
  'query.runs_interrupted': true,
  'query.extra_loaded': true,
  'query.run_rejected': true,
  'query.export': true,
  'query.export_downloaded': true,
  'query.results_purged': true,
  'query.export_refused': true,
  'query.view_results': true,
  'query.compare': true,
  'patient.view': true,
  'journal.verify': true,
  'lake.compact': true,
  'journal.checkpoint': true,
  'job.created': true,
  'job.started': true,
  'job.taken_over': true,
  'job.finished': true,
  'job.failed': true,
  'job.cancelled': true,
} as const satisfies Record<JournalAction, true>;

/** Every action, for filters (the record above makes the compiler check the list is whole). */
export const JOURNAL_ACTIONS = Object.keys(ACTIONS) as [JournalAction, ...JournalAction[]];

export const GENESIS_HASH = '0'.repeat(64);
