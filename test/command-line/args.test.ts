import { describe, expect, it } from 'vitest';
import { PREFIX, commandHelp, defineCommand, oneOf, parseCommand, synopsis, utcDay, wholeNumber } from '@/lib/cli/args';
import { COMMANDS, findCommand } from '@/lib/cli/commands';

// The command line's grammar, in process: one declaration per command gives parsing, help and errors.
const SPEC = defineCommand({
  name: 'thing run',
  summary: 'Runs a thing.',
  positionals: [{ name: 'id', help: 'the thing' }],
  options: {
    param: { value: 'name=value', short: 'p', multiple: true, help: 'a parameter' },
    format: { value: 'table|csv', check: oneOf('table', 'csv'), default: 'table', help: 'output' },
    from: { value: 'YYYY-MM-DD', check: utcDay, required: true, help: 'first day' },
    days: { value: 'N', check: wholeNumber(1, 9), defaultText: '3', help: 'days' },
    json: { help: 'JSON' },
  },
  examples: [`${PREFIX} thing run a --from 2026-10-01`],
});

const parse = (...argv: string[]) => parseCommand(SPEC, argv);

describe('parseCommand', () => {
  it('returns typed values with defaults, repeated options in order, and the positionals', () => {
    expect(parse('x', '--from', '2026-10-01', '-p', 'a=1', '--param=b=2', '--json')).toEqual({
      values: { param: ['a=1', 'b=2'], format: 'table', from: '2026-10-01', days: undefined, json: true },
      positionals: ['x'],
    });
    expect(parse('--from=2026-10-01', '--format', 'csv', '--days', '9', '--', '--odd-id')).toEqual({
      values: { param: [], format: 'csv', from: '2026-10-01', days: '9', json: false },
      positionals: ['--odd-id'],
    });
  });

  it('answers help for --help or -h anywhere, whatever else is wrong', () => {
    expect(parse('--help')).toBe('help');
    expect(parse('x', '--bogus', '-h')).toBe('help');
    expect(parse('x', '--from', '2026-10-01', '--param', '-h')).not.toBe('help');
  });

  it.each([
    [['x', '--from', '2026-10-01', '--bogus'], 'unknown option --bogus; usage: thing run <id> [--param name=value …] [--format table|csv] --from YYYY-MM-DD [--days N] [--json]'],
    [['x', '--from', '2026-10-01', '-z'], /^unknown option -z; usage: thing run/],
    [['x', '--from', '2026-10-01', '--constructor'], /^unknown option --constructor; usage: thing run/],
    [['x', '--from'], '--from needs a value: a UTC day YYYY-MM-DD'],
    [['x', '--from', '--json'], '--from needs a value: a UTC day YYYY-MM-DD'],
    [['x', '--from', '2026-10-01', '--param'], '--param needs a value: name=value'],
    [['x', '--from', '2026-10-01', '--json=no'], '--json takes no value'],
    [['x', '--from', '2026-02-30'], '--from must be a UTC day YYYY-MM-DD (got "2026-02-30")'],
    [['x', '--from', '2026-10-01', '--format', 'xml'], '--format must be one of table, csv (got "xml")'],
    [['x', '--from', '2026-10-01', '--days', '10'], '--days must be a whole number from 1 to 9 (got "10")'],
    [['x', '--from', '2026-10-01', '--days', '-1'], '--days must be a whole number from 1 to 9 (got "-1")'],
    [['x'], '--from is required: a UTC day YYYY-MM-DD'],
    [['--from', '2026-10-01'], /^missing <id>, the thing; usage: thing run <id>/],
    [['x', 'y', '--from', '2026-10-01'], /^unexpected argument "y"; usage: thing run <id>/],
  ])('refuses %j with one line: %s', (argv, message) => {
    let error: unknown;
    try {
      parseCommand(SPEC, argv);
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ name: 'UsageError' });
    const text = (error as Error).message;
    expect(text).not.toContain('\n');
    if (typeof message === 'string') expect(text).toBe(message);
    else expect(text).toMatch(message);
  });

  it('renders help from the declaration: usage, every option with its allowed values and default, an example', () => {
    expect(commandHelp(SPEC).split('\n')).toEqual([
      `usage: custos ${synopsis(SPEC)}`,
      '',
      'Runs a thing.',
      '',
      '  <id>                    the thing',
      '  -p, --param name=value  a parameter (repeatable)',
      '  --format table|csv      output (one of table, csv; default: table)',
      '  --from YYYY-MM-DD       first day (a UTC day YYYY-MM-DD; required)',
      '  --days N                days (a whole number from 1 to 9; default: 3)',
      '  --json                  JSON',
      '  -h, --help              print this help',
      '',
      'example:',
      `  ${PREFIX} thing run a --from 2026-10-01`,
    ]);
  });
});

describe('the command table', () => {
  it('names each command once, and finds it by its words', () => {
    const names = COMMANDS.map((c) => c.spec.name);
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) expect(findCommand([...name.split(' '), '--json'])).toMatchObject({ command: { spec: { name } }, rest: ['--json'] });
    expect(findCommand(['lake'])).toBeNull();
  });

  it.each(COMMANDS.map((c) => [c.spec.name, c.spec] as const))('%s declares a summary, help for every option and a runnable example', (name, spec) => {
    expect(spec.summary).toMatch(/^[A-Z].*\.$/);
    for (const [option, o] of Object.entries(spec.options)) {
      expect(o.help, option).not.toBe('');
      if (o.check) expect(commandHelp(spec)).toContain(o.check.allowed);
    }
    expect(spec.examples.length).toBeGreaterThan(0);
    for (const example of spec.examples) expect(example).toMatch(name === 'serve' ? /npm start|custos -- serve/ : new RegExp(`${PREFIX.replace(/[-]/g, '\\-')} ${name}`));
  });
});
