import 'server-only';
import { unstable_rethrow } from 'next/navigation';
import { DomainError, ValidationError } from '@/lib/errors';

const STATUS: Record<DomainError['code'], number> = {
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  validation: 422,
  conflict: 409,
  precondition: 409,
  limit: 422,
};

/** For route handlers: maps domain errors to HTTP statuses with a JSON body. */
export async function handleRoute(fn: () => Promise<Response>): Promise<Response> {
  try {
    return await fn();
  } catch (error) {
    unstable_rethrow(error);
    if (error instanceof DomainError) {
      const body: Record<string, unknown> = { error: error.message };
      if (error instanceof ValidationError) body.fieldErrors = error.fieldErrors;
      return Response.json(body, { status: STATUS[error.code] });
    }
    console.error('route failed:', error instanceof Error ? error.name : 'unknown error');
    return Response.json({ error: 'Internal error' }, { status: 500 });
  }
}

/** A file answered as an attachment, streamed (bounded memory whatever its size). */
export function fileResponse(file: { filename: string; contentType: string; body: AsyncIterable<string> }): Response {
  const encoder = new TextEncoder();
  const iterator = file.body[Symbol.asyncIterator]();
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { value, done } = await iterator.next();
      if (done) controller.close();
      else controller.enqueue(encoder.encode(value));
    },
    async cancel() {
      await iterator.return?.();
    },
  });
  return new Response(stream, {
    headers: { 'Content-Type': file.contentType, 'Content-Disposition': `attachment; filename="${file.filename}"`, 'Cache-Control': 'no-store' },
  });
}

/** A browser's or Next's speculative fetch: it must neither record nor deliver anything. */
export function isPrefetch(request: Request): boolean {
  const h = request.headers;
  return h.has('next-router-prefetch') || h.get('purpose') === 'prefetch' || /prefetch/i.test(h.get('sec-purpose') ?? '');
}
