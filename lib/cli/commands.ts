// The command table: each command's declaration (specs.ts) and its handler, loaded only when it runs
// so that `--help` and mistakes answer at once.
import { type CommandSpec, type Parsed, parseCommand } from './args';
import * as specs from './specs';

export type Command = {
  spec: CommandSpec;
  /** The exit code; 'help' when the arguments asked for the command's help. */
  run(argv: string[]): Promise<number | 'help'>;
};

function command<S extends CommandSpec>(spec: S, load: () => Promise<(parsed: Parsed<S>) => Promise<number>>): Command {
  return {
    spec,
    async run(argv) {
      const parsed = parseCommand(spec, argv);
      if (parsed === 'help') return 'help';
      return (await load())(parsed);
    },
  };
}

export const COMMANDS: readonly Command[] = [
  command(specs.SERVE, async () => (await import('./commands/serve')).serve),
  command(specs.LAKE_GENERATE, async () => (await import('./commands/lake')).lakeGenerate),
  command(specs.LAKE_CHECK, async () => (await import('./commands/lake')).lakeCheck),
  command(specs.LAKE_COMPACT, async () => (await import('./commands/lake')).lakeCompact),
  command(specs.LAKE_CANARY, async () => (await import('./commands/lake')).lakeCanary),
  command(specs.LAKE_PATIENTS, async () => (await import('./commands/lake')).lakePatients),
  command(specs.QUERY_LIST, async () => (await import('./commands/query')).queryList),
  command(specs.QUERY_RUN, async () => (await import('./commands/query')).queryRun),
  command(specs.JOURNAL_VERIFY, async () => (await import('./commands/journal')).journalVerify),
  command(specs.JOURNAL_CHECKPOINT, async () => (await import('./commands/journal')).journalCheckpoint),
  command(specs.CONFIG_CHECK, async () => (await import('./commands/config')).configCheck),
  command(specs.INTEGRITY_VALIDATE, async () => (await import('./commands/integrity')).integrityValidate),
  command(specs.WORKER, async () => (await import('./commands/worker')).worker),
  command(specs.EVIDENCE_VERIFY, async () => (await import('./commands/evidence')).evidenceVerify),
  command(specs.EVIDENCE_EXPORT, async () => (await import('./commands/evidence')).evidenceExport),
  command(specs.RETENTION_EXPLAIN, async () => (await import('./commands/retention')).retentionExplain),
];

/** The command named by the first one or two words, and the arguments after it. */
export function findCommand(argv: readonly string[]): { command: Command; rest: string[] } | null {
  for (const words of [2, 1]) {
    const name = argv.slice(0, words).join(' ');
    const command = COMMANDS.find((c) => c.spec.name === name);
    if (command && argv.length >= words) return { command, rest: argv.slice(words) };
  }
  return null;
}

/** Commands whose name starts with this word (`lake` → lake generate, lake check, …). */
export function commandGroup(word: string | undefined): Command[] {
  return word ? COMMANDS.filter((c) => c.spec.name.startsWith(`${word} `)) : [];
}
