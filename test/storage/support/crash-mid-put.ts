// A process that dies mid-put: it streams the first 64 KiB of a 1 MiB body into the store, says
// `writing` on stdout once that chunk is on disk, and waits to be killed.
import { LocalObjectStore } from '@/lib/storage/local-object-store';

async function* stalls(): AsyncGenerator<Uint8Array> {
  yield Buffer.alloc(65_536, 7);
  process.stdout.write('writing\n');
  await new Promise(() => undefined);
}

const store = new LocalObjectStore({ root: process.argv[2]!, buckets: { 'custos-evidence': { objectLock: true } } });
void store.put({
  bucket: 'custos-evidence',
  key: 'evidence/run-7.pdf',
  body: { stream: stalls(), contentLength: 1_048_576 },
  retention: { mode: 'COMPLIANCE', retainUntil: new Date(Date.now() + 86_400_000) },
});
