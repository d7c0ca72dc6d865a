// npm run bench [-- --days N --events-per-day K --seed S --dir D --reference-dir D --export-rows N --read-json
//                   --fresh --json --skip-baseline --skip-export --help]
// Progress goes to stderr; stdout holds the tables, or with --json exactly one JSON object.
import { BENCH_USAGE, parseBenchArgs, BenchUsageError } from '@/lib/bench/options';
import { benchReportText } from '@/lib/bench/report-text';
import { runBench } from '@/lib/bench/run-bench';

async function main(): Promise<number> {
  const options = parseBenchArgs(process.argv.slice(2));
  if (!options) {
    process.stdout.write(`${BENCH_USAGE}\n`);
    return 0;
  }
  const result = await runBench(options, (line) => process.stderr.write(`${line}\n`));
  process.stdout.write(options.json ? `${JSON.stringify(result, null, 2)}\n` : `${benchReportText(result)}\n`);
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n`);
    if (!(error instanceof BenchUsageError) && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
    process.exitCode = error instanceof BenchUsageError ? 2 : 1;
  },
);
