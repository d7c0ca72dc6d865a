// Resident set size sampled on a timer: the process-wide peak, and the peak within each watched
// phase. Samples land between event-loop turns, so a long synchronous stretch is seen at its end.

export type Watch = { readonly rssBeforeBytes: number; peakRssBytes: number };

export class RssSampler {
  peakRssBytes = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly watches = new Set<Watch>();

  constructor(private readonly intervalMs = 50) {}

  start(): this {
    this.sample();
    this.timer ??= setInterval(() => this.sample(), this.intervalMs);
    this.timer.unref();
    return this;
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.sample();
  }

  sample(): number {
    const rss = process.memoryUsage().rss;
    if (rss > this.peakRssBytes) this.peakRssBytes = rss;
    for (const w of this.watches) if (rss > w.peakRssBytes) w.peakRssBytes = rss;
    return rss;
  }

  /** Runs `fn` and reports the RSS just before it and the highest sample while it ran. */
  async watch<T>(fn: () => Promise<T>): Promise<{ value: T } & Watch> {
    const before = this.sample();
    const watch: Watch = { rssBeforeBytes: before, peakRssBytes: before };
    this.watches.add(watch);
    try {
      const value = await fn();
      this.sample();
      return { value, rssBeforeBytes: watch.rssBeforeBytes, peakRssBytes: watch.peakRssBytes };
    } finally {
      this.watches.delete(watch);
    }
  }
}

/** The operating system's high-water mark for this process (includes native and worker memory). */
export function maxRssBytes(): number {
  return process.resourceUsage().maxRSS * 1024;
}
