import { takeEvidenceDownload } from '@/lib/evidence/take-evidence-download';
import { requestContext } from '@/lib/web/guard';
import { handleRoute, isPrefetch } from '@/lib/web/route-handler';

export const dynamic = 'force-dynamic';

export async function GET(request: Request, { params }: { params: Promise<{ token: string }> }) {
  if (isPrefetch(request)) return new Response(null, { status: 204 });
  return handleRoute(async () => {
    const file = await takeEvidenceDownload(await requestContext(), (await params).token);
    return new Response(new Uint8Array(file.body), {
      headers: {
        'Content-Type': file.contentType,
        'Content-Disposition': `attachment; filename="${file.filename}"`,
        'Content-Length': String(file.body.length),
        'Cache-Control': 'no-store',
      },
    });
  });
}
