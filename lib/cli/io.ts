// Command-line plumbing: user mistakes are one line on stderr and a non-zero exit, never a stack trace.

export class UsageError extends Error {
  override name = 'UsageError';
}

export function out(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

export function err(text: string): void {
  process.stderr.write(text.endsWith('\n') ? text : `${text}\n`);
}

/** Writes to stdout honouring back-pressure (large CSV/JSON outputs). */
export function write(chunk: string): Promise<void> {
  return new Promise((resolve, reject) => {
    process.stdout.write(chunk, (error) => (error ? reject(error) : resolve()));
  });
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
