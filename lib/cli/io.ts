// Command-line plumbing: user mistakes are one line on stderr and a non-zero exit, never a stack trace.
import { DomainError, ValidationError } from '@/lib/errors';

export class UsageError extends Error {
  override name = 'UsageError';
}

/** The reader of standard output went away (`custos … | head`): the command stops, quietly. */
export class OutputClosed extends Error {
  override name = 'OutputClosed';
}

const closed = { stdout: false, stderr: false };

function isBrokenPipe(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | null)?.code === 'EPIPE';
}

/** Once per process: a closed pipe stops the writes to it instead of crashing with EPIPE. */
export function guardOutput(): void {
  for (const name of ['stdout', 'stderr'] as const) {
    process[name].on('error', (error) => {
      if (!isBrokenPipe(error)) throw error;
      closed[name] = true;
    });
  }
}

export function stdoutClosed(): boolean {
  return closed.stdout;
}

export function out(text: string): void {
  if (!closed.stdout) process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

export function err(text: string): void {
  if (!closed.stderr) process.stderr.write(text.endsWith('\n') ? text : `${text}\n`);
}

/** Writes to stdout honouring back-pressure (large CSV/JSON outputs); rejects with OutputClosed once the reader is gone. */
export function write(chunk: string): Promise<void> {
  if (closed.stdout) return Promise.reject(new OutputClosed('standard output was closed'));
  return new Promise((resolve, reject) => {
    process.stdout.write(chunk, (error) => {
      if (!error) resolve();
      else if (isBrokenPipe(error)) {
        closed.stdout = true;
        reject(new OutputClosed('standard output was closed'));
      } else reject(error);
    });
  });
}

/** `12.3 s`, `2 min 5 s`. */
export function duration(ms: number): string {
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const whole = Math.round(seconds);
  return `${Math.floor(whole / 60)} min ${whole % 60} s`;
}

/**
 * Announces a long step on stderr (with its estimate), shows its progress on a terminal, and says
 * how long it took.
 */
export function step(what: string, estimate?: string) {
  const started = performance.now();
  const live = process.stderr.isTTY === true;
  let shown = false;
  err(`${what}${estimate ? ` (${estimate})` : ''}…`);
  return {
    progress(text: string): void {
      if (!live || closed.stderr) return;
      process.stderr.write(`\r  ${text}\x1b[K`);
      shown = true;
    },
    done(result?: string): number {
      const ms = performance.now() - started;
      if (shown && !closed.stderr) process.stderr.write('\r\x1b[K');
      err(`  done in ${duration(ms)}${result ? `: ${result}` : ''}`);
      return ms;
    },
  };
}

/** The message of a refusal the user can act on (bad parameters, a failed precondition), or null. */
export function describeError(error: unknown): string | null {
  if (error instanceof ValidationError) return `Invalid parameters: ${error.message}`;
  if (error instanceof DomainError) return error.message;
  return null;
}

export function table(columns: string[], rows: string[][]): string {
  const widths = columns.map((c, i) => Math.min(60, Math.max(c.length, ...rows.map((r) => (r[i] ?? '').length))));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => {
        const w = widths[i]!;
        const text = c.length > w ? `${c.slice(0, w - 1)}…` : c;
        return text.padEnd(w);
      })
      .join('  ')
      .trimEnd();
  return [line(columns), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
