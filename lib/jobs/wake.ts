// Workers in this process sleep between polls; a job enqueued here wakes them at once.
const KEY = Symbol.for('custos.jobs.wake');
const holder = globalThis as { [KEY]?: Set<() => void> };
const sleepers = (holder[KEY] ??= new Set<() => void>());

export function onWake(listener: () => void): () => void {
  sleepers.add(listener);
  return () => sleepers.delete(listener);
}

export function wakeWorkers(): void {
  for (const listener of sleepers) listener();
}
