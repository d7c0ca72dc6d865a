// The command line's grammar. Each command declares its arguments once (lib/cli/specs.ts); parsing,
// `--help` and the one-line answer to a mistake are all derived from that declaration.
import { parseArgs } from 'node:util';
import { isCalendarDate } from '@/lib/days';
import { UsageError } from './io';

/** What values an option accepts, in words (for help and errors) and as a test. */
export type Check = { readonly allowed: string; test(value: string): boolean };

export type OptionSpec = {
  readonly help: string;
  /** Placeholder of the value (DIR, N, YYYY-MM-DD); an option without one is a flag. */
  readonly value?: string;
  readonly check?: Check;
  /** Used when the option is absent, and shown in the help. */
  readonly default?: string;
  /** Shown in the help when the default is decided elsewhere (the configuration, the generator). */
  readonly defaultText?: string;
  readonly required?: boolean;
  readonly multiple?: boolean;
  readonly short?: string;
};

export type CommandSpec = {
  /** One or two words: `serve`, `lake generate`. */
  readonly name: string;
  readonly summary: string;
  /** Required positional arguments, in order. */
  readonly positionals?: readonly { readonly name: string; readonly help: string }[];
  readonly options: { readonly [name: string]: OptionSpec };
  readonly examples: readonly string[];
};

type ValueOf<O extends OptionSpec> = O extends { value: string }
  ? O extends { multiple: true }
    ? string[]
    : O extends { default: string } | { required: true }
      ? string
      : string | undefined
  : boolean;

export type Parsed<S extends CommandSpec> = {
  values: { -readonly [K in keyof S['options']]: ValueOf<S['options'][K]> };
  positionals: string[];
};

/** Keeps the literal types of a declaration, so a command's handler sees exactly its own options. */
export function defineCommand<const S extends CommandSpec>(spec: S): S {
  return spec;
}

export const PREFIX = 'npm run -s custos --';

export function wholeNumber(min: number, max?: number): Check {
  return {
    allowed: max !== undefined ? `a whole number from ${min} to ${max}` : min > 0 ? `a whole number from ${min}` : 'a whole number',
    test: (v) => /^\d{1,15}$/.test(v) && Number(v) >= min && (max === undefined || Number(v) <= max),
  };
}

export const utcDay: Check = { allowed: 'a UTC day YYYY-MM-DD', test: isCalendarDate };

export function oneOf(...choices: string[]): Check {
  return { allowed: `one of ${choices.join(', ')}`, test: (v) => choices.includes(v) };
}

/** `help` for `--help`/`-h` anywhere before `--`; otherwise the checked values, or a UsageError naming the first mistake. */
export function parseCommand<S extends CommandSpec>(spec: S, argv: string[]): Parsed<S> | 'help' {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = { help: { type: 'boolean', short: 'h' } };
  for (const [name, o] of Object.entries(spec.options)) options[name] = { type: o.value ? 'string' : 'boolean', ...(o.short ? { short: o.short } : {}) };
  // Not strict: the tokens are checked below, so that every mistake gets a message naming what is allowed.
  const { tokens } = parseArgs({ args: argv, options, strict: false, allowPositionals: true, tokens: true });
  if (tokens.some((t) => t.kind === 'option' && t.name === 'help')) return 'help';

  const values: Record<string, string | string[] | boolean | undefined> = {};
  const positionals: string[] = [];
  for (const token of tokens) {
    if (token.kind === 'positional') {
      positionals.push(token.value);
      continue;
    }
    if (token.kind !== 'option') continue;
    const o = Object.hasOwn(spec.options, token.name) ? spec.options[token.name] : undefined;
    if (!o) throw new UsageError(`unknown option ${token.rawName}; usage: ${synopsis(spec)}`);
    if (!o.value) {
      if (token.value !== undefined) throw new UsageError(`${token.rawName} takes no value`);
      values[token.name] = true;
      continue;
    }
    const missing = token.value === undefined || (!token.inlineValue && token.value.startsWith('--'));
    if (missing) throw new UsageError(`${token.rawName} needs a value: ${o.check?.allowed ?? o.value}`);
    const value = token.value!;
    if (o.check && !o.check.test(value)) throw new UsageError(`--${token.name} must be ${o.check.allowed} (got "${value}")`);
    values[token.name] = o.multiple ? [...((values[token.name] as string[] | undefined) ?? []), value] : value;
  }

  for (const [name, o] of Object.entries(spec.options)) {
    if (values[name] !== undefined) continue;
    if (o.required) throw new UsageError(`--${name} is required: ${o.check?.allowed ?? o.value}`);
    values[name] = !o.value ? false : o.multiple ? [] : o.default;
  }
  const wanted = spec.positionals ?? [];
  if (positionals.length < wanted.length) {
    const p = wanted[positionals.length]!;
    throw new UsageError(`missing <${p.name}>, ${p.help}; usage: ${synopsis(spec)}`);
  }
  if (positionals.length > wanted.length) throw new UsageError(`unexpected argument "${positionals[wanted.length]}"; usage: ${synopsis(spec)}`);
  return { values, positionals } as Parsed<S>;
}

/** `lake generate [--out DIR] …`: the command and its arguments. */
export function synopsis(spec: CommandSpec): string {
  const parts = [spec.name, ...(spec.positionals ?? []).map((p) => `<${p.name}>`)];
  for (const [name, o] of Object.entries(spec.options)) {
    const text = `--${name}${o.value ? ` ${o.value}` : ''}${o.multiple ? ' …' : ''}`;
    parts.push(o.required ? text : `[${text}]`);
  }
  return parts.join(' ');
}

function columns(rows: [string, string][]): string[] {
  const width = Math.max(...rows.map(([left]) => left.length)) + 2;
  return rows.map(([left, right]) => `  ${left.padEnd(width)}${right}`.trimEnd());
}

export function commandHelp(spec: CommandSpec): string {
  const rows: [string, string][] = (spec.positionals ?? []).map((p) => [`<${p.name}>`, p.help]);
  for (const [name, o] of Object.entries(spec.options)) {
    const shown = o.default ?? o.defaultText;
    const notes = [o.check?.allowed, o.required ? 'required' : null, o.multiple ? 'repeatable' : null, shown ? `default: ${shown}` : null].filter((n) => n);
    rows.push([`${o.short ? `-${o.short}, ` : ''}--${name}${o.value ? ` ${o.value}` : ''}`, notes.length ? `${o.help} (${notes.join('; ')})` : o.help]);
  }
  rows.push(['-h, --help', 'print this help']);
  return [
    `usage: custos ${synopsis(spec)}`,
    '',
    spec.summary,
    '',
    ...columns(rows),
    '',
    spec.examples.length > 1 ? 'examples:' : 'example:',
    ...spec.examples.map((e) => `  ${e}`),
  ].join('\n');
}

export function commandList(specs: readonly CommandSpec[]): string[] {
  return columns(specs.map((s) => [s.name, s.summary.split(/(?<=\.)\s/)[0]!.replace(/\.$/, '')]));
}
