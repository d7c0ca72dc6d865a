import 'server-only';
import { ConfigError, env } from '@/lib/config/env';
import { LockedError } from '@/lib/db/lock';
import { PREFIX, commandHelp, commandList } from './args';
import { COMMANDS, commandGroup, findCommand } from './commands';
import { OutputClosed, UsageError, describeError, err, guardOutput, out } from './io';

function debugEnabled(): boolean {
  try {
    return env().CUSTOS_DEBUG;
  } catch {
    return false;
  }
}

function overview(commands = COMMANDS): string {
  return [
    `usage: custos <command> [options]      (in this folder: ${PREFIX} <command> [options])`,
    '',
    'commands:',
    ...commandList(commands.map((c) => c.spec)),
    '',
    'custos <command> --help (or custos help <command>) describes its options, with an example.',
  ].join('\n');
}

const isHelp = (arg: string | undefined) => arg === '--help' || arg === '-h';

async function main(argv: string[]): Promise<number> {
  if (argv.length === 0) {
    err(overview());
    return 2;
  }
  const asksHelp = argv[0] === 'help' || isHelp(argv[0]);
  const words = asksHelp ? argv.slice(1) : argv;
  if (asksHelp && words.length === 0) {
    out(overview());
    return 0;
  }
  const found = findCommand(words);
  if (!found || (asksHelp && found.rest.length > 0)) {
    const group = commandGroup(words[0]);
    if (group.length && (asksHelp || isHelp(words[1]))) {
      out(overview(group));
      return 0;
    }
    if (group.length && words.length === 1) throw new UsageError(`"${words[0]}" needs a command: ${group.map((c) => c.spec.name).join(', ')}`);
    const named = words.slice(0, group.length ? 2 : 1).join(' ');
    const known = (group.length ? group : COMMANDS).map((c) => c.spec.name).join(', ');
    throw new UsageError(`unknown command "${named}" (commands: ${known})`);
  }
  const code = asksHelp ? 'help' : await found.command.run(found.rest);
  if (code === 'help') {
    out(commandHelp(found.command.spec));
    return 0;
  }
  return code;
}

guardOutput();
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof OutputClosed) {
      process.exitCode = 0;
      return;
    }
    const known =
      error instanceof UsageError || error instanceof ConfigError || error instanceof LockedError
        ? error.message
        : // by name: the registry is loaded only by the commands that need it
          error instanceof Error && error.name === 'QueryFileError'
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
