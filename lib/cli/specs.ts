// Every command's arguments, declared once: the parser, `--help` and the error messages read them.
import { REGION_NAME } from '@/lib/integrity/keys';
import { MAX_DAYS, MIN_DAYS, MIN_EVENTS_PER_DAY, resolveOptions } from '@/lib/lake/generate/options';
import { PREFIX, defineCommand, oneOf, utcDay, wholeNumber } from './args';

const GENERATED = resolveOptions({ outDir: '.' });
const LAKE_DIR = 'CUSTOS_LAKE_DIR, else $CUSTOS_DATA_DIR/lake';
const lake = (help: string) => ({ value: 'DIR', help, defaultText: LAKE_DIR }) as const;
const json = (help: string) => ({ help }) as const;

export const SERVE = defineCommand({
  name: 'serve',
  summary:
    'Prepares the embedded default and serves the portal: what `npm start` runs. The first start generates the demo lake, ' +
    'compacts it, creates the database and builds the portal (about a minute and a half on two cores); later starts take seconds.',
  options: {},
  examples: ['npm start', `PORT=8080 ${PREFIX} serve`],
});

export const LAKE_GENERATE = defineCommand({
  name: 'lake generate',
  summary: 'Writes a deterministic demo log lake (CloudTrail, S3 access logs, inventory, study catalog) and DIR/truth.json, the answers it planted.',
  options: {
    out: { value: 'DIR', help: 'the lake to write: a new or empty directory, or a previous generation, which is replaced', defaultText: LAKE_DIR },
    days: { value: 'N', help: 'days in the window', check: wholeNumber(MIN_DAYS, MAX_DAYS), defaultText: String(GENERATED.days) },
    seed: { value: 'N', help: 'seed of every random choice', check: wholeNumber(0), defaultText: String(GENERATED.seed) },
    'events-per-day': { value: 'N', help: 'CloudTrail events per day, about', check: wholeNumber(MIN_EVENTS_PER_DAY, 5_000_000), defaultText: String(GENERATED.eventsPerDay) },
    end: { value: 'YYYY-MM-DD', help: 'last day of the window', check: utcDay, defaultText: GENERATED.end },
    json: json('print the summary as one JSON object'),
  },
  examples: [`${PREFIX} lake generate --out /tmp/lake --days 7 --json`],
});

export const LAKE_CHECK = defineCommand({
  name: 'lake check',
  summary: 'Scans a lake and prints a JSON report of the records loaded and rejected per source.',
  options: { lake: lake('the lake to scan') },
  examples: [`${PREFIX} lake check --lake /tmp/lake`],
});

export const LAKE_COMPACT = defineCommand({
  name: 'lake compact',
  summary: 'Converts new raw log files into the Parquet layer and indexes the accesses of complete days (incremental, crash-safe).',
  options: { lake: lake('the lake to compact'), json: json('print the summary as one JSON object on stdout') },
  examples: [`${PREFIX} lake compact --json`],
});

export const LAKE_CANARY = defineCommand({
  name: 'lake canary',
  summary: "Prints the study catalog's canary row for the configured CUSTOS_CATALOG_HMAC_KEY (JSON, DDL column names).",
  options: {},
  examples: [`CUSTOS_CATALOG_HMAC_KEY=… ${PREFIX} lake canary`],
});

export const LAKE_PATIENTS = defineCommand({
  name: 'lake patients',
  summary: "Lists the demo lake's planted patients with their MRNs, studies and accesses (from its truth.json). Only over the generated demo lake.",
  options: { lake: lake('the demo lake'), json: json('print {"lake","window","patients":[{"kind","mrn","studies","accesses"}]}') },
  examples: [`${PREFIX} lake patients`, `${PREFIX} lake patients --json`],
});

export const QUERY_LIST = defineCommand({
  name: 'query list',
  summary: 'Lists the saved queries and their parameters.',
  options: { json: json('print [{id, title, roles, parameters}]') },
  examples: [`${PREFIX} query list --json`],
});

export const QUERY_RUN = defineCommand({
  name: 'query run',
  summary:
    'Runs, records and prints a saved query. `--param name=-` reads that value from standard input: safer for an MRN, ' +
    'which as an argument shows in process lists and shell history.',
  positionals: [{ name: 'id', help: 'the saved query to run (query list names them)' }],
  options: {
    param: { value: 'name=value', short: 'p', multiple: true, help: 'a parameter of the query; name=- reads the value from standard input' },
    format: { value: 'table|csv|json', help: 'how the rows are printed', check: oneOf('table', 'csv', 'json'), default: 'table' },
    lake: lake('the lake to query, for the embedded engine'),
  },
  examples: [`echo MRN0000001 | ${PREFIX} query run patient-access-history --param patient=- --param from=2026-10-02 --param to=2026-10-31 --format json`],
});

export const JOURNAL_VERIFY = defineCommand({
  name: 'journal verify',
  summary: "Recomputes the journal's hash chain and checks it against every checkpoint: exit 0 when intact, 1 naming the problem.",
  options: { json: json('print {"checkpoints":{"verified","latestSeq"},"problem":{"kind","seq"},…}') },
  examples: [`${PREFIX} journal verify --json`],
});

export const JOURNAL_CHECKPOINT = defineCommand({
  name: 'journal checkpoint',
  summary: "Anchors the journal's head in the object store now.",
  options: { json: json('print {"seq","hash","at","object"}') },
  examples: [`${PREFIX} journal checkpoint --json`],
});

export const CONFIG_CHECK = defineCommand({
  name: 'config check',
  summary: 'Names what is missing in the engine, database and query configuration: exit 0 when all is well.',
  options: { json: json('print the report as one JSON object') },
  examples: [`${PREFIX} config check`],
});

export const INTEGRITY_VALIDATE = defineCommand({
  name: 'integrity validate',
  summary: "Validates CloudTrail's digest chain and log files for the window, offline: exit 0 only when intact.",
  options: {
    from: { value: 'YYYY-MM-DD', help: 'first day, inclusive', check: utcDay, required: true },
    to: { value: 'YYYY-MM-DD', help: 'last day, inclusive', check: utcDay, required: true },
    region: {
      value: 'R',
      multiple: true,
      help: 'only this Region',
      check: { allowed: 'a Region name such as us-east-1', test: (v: string) => REGION_NAME.test(v) },
      defaultText: 'every Region with digests',
    },
    lake: lake('the lake holding the CloudTrail logs, for the embedded engine'),
    json: json('print {"from","to","regions","digests","logFiles","problems","ok"}'),
  },
  examples: [`${PREFIX} integrity validate --from 2026-10-02 --to 2026-10-31 --json`],
});

export const WORKER = defineCommand({
  name: 'worker',
  summary: 'Runs background jobs (query runs, compaction, scheduled jobs) until stopped, for deployments that keep workers apart from the portal.',
  options: { concurrency: { value: 'N', help: 'jobs run at once', check: wholeNumber(1, 64), defaultText: 'CUSTOS_WORKER_CONCURRENCY, else 2' } },
  examples: [`CUSTOS_PORTAL_WORKER=off ${PREFIX} worker --concurrency 4`],
});

export const EVIDENCE_VERIFY = defineCommand({
  name: 'evidence verify',
  summary:
    'Checks a PDF against its own signature and the evidence registry: exit 0 only when the signature is valid, the file unmodified and registered; ' +
    'otherwise 1 with the reason.',
  positionals: [{ name: 'file.pdf', help: 'the PDF to verify' }],
  options: { json: json('print {"valid","unmodified","registered","evidenceId","kind","subject","signer":{"fingerprint","subject"},"createdAt","createdBy","reason"}') },
  examples: [`${PREFIX} evidence verify report.pdf`, `${PREFIX} evidence verify report.pdf --json`],
});

export const EVIDENCE_EXPORT = defineCommand({
  name: 'evidence export',
  summary:
    "Makes, signs and registers a report and writes it to a new file: a run's query-run report (--run), the patient access report of a " +
    "patient's access-history run (--run with --patient), or the posture summary of a window (--posture --from --to).",
  options: {
    run: { value: 'RUN_ID', help: 'the run to report on' },
    patient: { help: "the patient access report of this patient-access-history run (with the same patient's studies run)" },
    posture: { help: "the posture summary of the window's latest finished dashboard refresh" },
    from: { value: 'YYYY-MM-DD', help: 'first day of the posture window (UTC, inclusive)', check: utcDay },
    to: { value: 'YYYY-MM-DD', help: 'last day of the posture window (UTC, inclusive)', check: utcDay },
    out: { value: 'FILE', help: 'the PDF to write (a new file)', required: true },
    json: json('print {"evidenceId","sha256","file"}'),
  },
  examples: [
    `${PREFIX} evidence export --run 0195f3a2-7c41-7d2e-9b1a-3c4d5e6f7a8b --out report.pdf --json`,
    `${PREFIX} evidence export --posture --from 2026-10-02 --to 2026-10-31 --out posture.pdf`,
  ],
});

export const RETENTION_EXPLAIN = defineCommand({
  name: 'retention explain',
  summary:
    "Explains a study's retention as the portal does: the rule set and the rule that governs it, the dates and their arithmetic, the first day it may be deleted, " +
    'and every reason it may not be on the day. Exit 0 when the study is explained, 1 when the catalog does not know it.',
  options: {
    study: { value: 'UID', help: 'the Study Instance UID (or accession number)', required: true },
    'as-of': { value: 'YYYY-MM-DD', help: 'the day deletability is judged on', check: utcDay, defaultText: 'today (UTC)' },
    lake: lake('the lake whose catalog and inventory to read'),
    json: json('print {"study","retentionClass","rule","ruleSetVersion","studyDate","birthDate","retainUntil","deletable","reasons":[…]}'),
  },
  examples: [`${PREFIX} retention explain --study 1.2.840.113619.2.408.3.284716352.20141014.44713`, `${PREFIX} retention explain --study 2.25.1 --as-of 2030-01-01 --json`],
});
