import 'server-only';
import { ConfigError, env } from '@/lib/config/env';
import { LockedError } from '@/lib/db/lock';
import { QueryFileError } from '@/lib/queries/registry';
import { configCheck } from './commands/config';
import { integrityValidate } from './commands/integrity';
import { journalCheckpoint, journalVerify } from './commands/journal';
import { lakeCanary, lakeCheck, lakeCompact, lakeGenerate } from './commands/lake';
import { describeError, queryList, queryRun } from './commands/query';
import { serve } from './commands/serve';
import { worker } from './commands/worker';
import { UsageError, err } from './io';

function debugEnabled(): boolean {
  try {
    return env().CUSTOS_DEBUG;
  } catch {
    return false;
  }
}

const HELP = `usage: custos <command>

  serve                          prepare the embedded default and serve the portal (npm start)
  lake generate [--out DIR] [--days N] [--seed N] [--events-per-day N] [--end YYYY-MM-DD] [--json]
  lake check [--lake DIR]        scan a lake; JSON report of records loaded and rejected
  lake compact [--lake DIR]      convert new raw log files into the Parquet layer
  lake canary                    print the catalog's canary row for the configured CUSTOS_CATALOG_HMAC_KEY
  query list [--json]
  query run <id> --param name=value … [--format table|csv|json] [--lake DIR]
  journal verify [--json]        exit 0 when the journal is intact and agrees with every checkpoint
  journal checkpoint [--json]    anchor the journal's head in the object store now
  config check [--json]          name what is missing in the engine, database and query configuration
  integrity validate --from D --to D [--region R] [--lake DIR] [--json]   check CloudTrail digests and log files
  worker [--concurrency N]       run background jobs (query runs, compaction, scheduled jobs) until stopped`;

const COMMANDS: Record<string, (argv: string[]) => Promise<number>> = {
  serve: () => serve(),
  'lake generate': lakeGenerate,
  'lake check': lakeCheck,
  'lake compact': lakeCompact,
  'lake canary': lakeCanary,
  'query list': queryList,
  'query run': queryRun,
  'journal verify': journalVerify,
  'journal checkpoint': journalCheckpoint,
  'config check': configCheck,
  'integrity validate': integrityValidate,
  worker,
};

async function main(argv: string[]): Promise<number> {
  if (argv.length === 0 || argv[0] === 'help' || argv[0] === '--help') {
    process.stdout.write(`${HELP}\n`);
    return argv.length === 0 ? 2 : 0;
  }
  const two = `${argv[0]} ${argv[1] ?? ''}`;
  const name = COMMANDS[two] ? two : COMMANDS[argv[0]!] ? argv[0]! : null;
  if (!name) throw new UsageError(`unknown command "${argv.slice(0, 2).join(' ')}"\n\n${HELP}`);
  return COMMANDS[name]!(argv.slice(name.split(' ').length));
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const known =
      error instanceof UsageError || error instanceof ConfigError || error instanceof LockedError || error instanceof QueryFileError
        ? error.message
        : error instanceof TypeError && (error as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')
          ? error.message
          : describeError(error);
    if (known) err(`custos: ${known}`);
    else {
      err(`custos: internal error (${error instanceof Error ? error.name : 'unknown'}); set CUSTOS_DEBUG=1 for details`);
      if (debugEnabled()) console.error(error);
    }
    process.exitCode = error instanceof UsageError ? 2 : 1;
  },
);
