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
  /**
   * A patient view opened: `match` says how the patient was found (the MRN as typed, or one of its
   * documented variants, or a result row's sealed link), or 'none' when no study in the catalog
   * matched (then the subject is the last studies run and no access history ran).
   */
  'patient.view': {
    studiesRun: string;
    from: string;
    to: string;
    patient: string;
    match?: 'as-written' | 'trimmed' | 'upper-case' | 'link' | 'none';
    /** Studies runs of the variants tried before the one that matched (or all, when none did). */
    triedRuns?: string[];
  };
  'journal.verify':
    | { ok: true; entries: number; lastHash: string; checkpoints: number; latestCheckpointSeq: number | null }
    | { ok: false; entries: number; problem: string; seq: number };
  'lake.compact': { rawFiles: number; records: number; partitionsWritten: number; seconds: number };
  'lake.index_refreshed': { daysBuilt: number; rows: number; through: string | null; seconds: number };
  'journal.checkpoint': { seq: number; hash: string; object: string; versionId: string };
  'job.created': { kind: string; about?: string };
  'job.started': { kind: string; attempt: number; worker: string };
  'job.taken_over': { kind: string; attempt: number; worker: string; previousWorker: string };
  'job.finished': { kind: string; attempt: number };
  'job.failed': { kind: string; attempt: number; error: string; willRetry: boolean };
  'job.cancelled': { kind: string; attempt: number };
  /** Retention: studies appear as keyed pseudonyms (`study`), never as their UIDs. */
  'retention.explain': { study: string; asOf: string; deletable: boolean; ruleSet: string; ruleSetVersion: number };
  'retention.candidates': { asOf: string; candidates: number; deletable: number };
  'retention.hold_placed': { study: string };
  'retention.hold_lifted': { study: string };
  'retention.rule_set_saved': { ruleSetId: string; version: number; inForce: boolean };
  'retention_request.create': { studies: number; objectVersions: number; bytes: number; imageSets: number; manifestSha256: string; asOf: string; ruleSets: string[] };
  'retention_request.view': { manifestSha256: string };
  'retention_request.approve': { manifestSha256: string; stepUp: 'password' | 'oidc'; approvals: number; final: boolean };
  'retention_request.step_up_failed': { method: 'password' | 'oidc' };
  'retention_request.reject': { manifestSha256: string };
  'retention_request.withdraw': { from: string };
  'retention_request.expire': { approvalExpiredAt: string };
  'retention_request.execute': { attempt: number; resumed: boolean };
  'retention_request.halt': { reasons: string[] };
  'retention_request.study_disposed': { study: string; objectVersions: number; imageSets: number };
  'retention_request.complete': { deleted: number; alreadyGone: number; verified: boolean; reportedNotDeleted: number; resultsPurged: number };
  'retention_request.fail': { error: string; remaining: number };
  'retention_request.resume': { remaining: number };
  'retention_request.certificate': { evidenceId: string; sha256: string };
  /** A refresh of the posture dashboards for a window, asked for (subject: the refresh id). */
  'posture.refresh_requested': { from: string; to: string; trigger: 'on_demand' | 'schedule' };
  /** Its runs and snapshots recorded; `problems` names the figures that got none. */
  'posture.refresh_finished': { from: string; to: string; state: string; runs: number; snapshots: number; problems: string[] };
  /** An AWS control-plane answer recorded for the dashboards (subject: the snapshot id). */
  'posture.snapshot': { kind: string; source: string; sha256: string; calls: number; failedCalls: number };
  /** The dashboards (or the posture summary) shown for a window, from a refresh (null: none recorded yet). */
  'posture.view': { from: string; to: string; refreshId: string | null; page: 'dashboards' | 'summary' };
  /** A signed PDF issued and registered; the journal entry's subject is its evidence id. */
  'evidence.create': { kind: string; subject: string; sha256: string; bytes: number; signer: string; object: string; versionId: string; journalHeadSeq: number };
  /** A registered PDF handed out for download (single use); `evidence.downloaded` when it is fetched. */
  'evidence.download': { kind: string; sha256: string };
  'evidence.downloaded': { sha256: string };
  /** A PDF checked against its signature and the registry (what the uploader was told). */
  'evidence.verify': { sha256: string; bytes: number; valid: boolean; unmodified: boolean; registered: boolean; evidenceId: string | null };
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
  'lake.index_refreshed': true,
  'journal.checkpoint': true,
  'job.created': true,
  'job.started': true,
  'job.taken_over': true,
  'job.finished': true,
  'job.failed': true,
  'job.cancelled': true,
  'retention.explain': true,
  'retention.candidates': true,
  'retention.hold_placed': true,
  'retention.hold_lifted': true,
  'retention.rule_set_saved': true,
  'retention_request.create': true,
  'retention_request.view': true,
  'retention_request.approve': true,
  'retention_request.step_up_failed': true,
  'retention_request.reject': true,
  'retention_request.withdraw': true,
  'retention_request.expire': true,
  'retention_request.execute': true,
  'retention_request.halt': true,
  'retention_request.study_disposed': true,
  'retention_request.complete': true,
  'retention_request.fail': true,
  'retention_request.resume': true,
  'retention_request.certificate': true,
  'posture.refresh_requested': true,
  'posture.refresh_finished': true,
  'posture.snapshot': true,
  'posture.view': true,
  'evidence.create': true,
  'evidence.download': true,
  'evidence.downloaded': true,
  'evidence.verify': true,
} as const satisfies Record<JournalAction, true>;

/** Every action, for filters (the record above makes the compiler check the list is whole). */
export const JOURNAL_ACTIONS = Object.keys(ACTIONS) as [JournalAction, ...JournalAction[]];

export const GENESIS_HASH = '0'.repeat(64);
