import { requestContext } from '@/lib/web/guard';
import { EXPORT_FORMATS, exportRun, type ExportFormat } from '@/lib/queries/export-run';
import { handleRoute } from '@/lib/web/route-handler';

export const dynamic = 'force-dynamic';

export async function GET(request: Request, { params }: { params: Promise<{ runId: string }> }) {
  return handleRoute(async () => {
    const { runId } = await params;
    const format = new URL(request.url).searchParams.get('format') ?? 'csv';
    if (!(EXPORT_FORMATS as readonly string[]).includes(format)) {
      return Response.json({ error: `format must be one of ${EXPORT_FORMATS.join(', ')}` }, { status: 422 });
    }
    const file = await exportRun(await requestContext(), runId, format as ExportFormat);
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
      headers: {
        'Content-Type': file.contentType,
        'Content-Disposition': `attachment; filename="${file.filename}"`,
        'Cache-Control': 'no-store',
      },
    });
  });
}
