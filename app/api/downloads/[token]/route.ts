import { takeDownload } from '@/lib/queries/take-download';
import { requestContext } from '@/lib/web/guard';
import { fileResponse, handleRoute, isPrefetch } from '@/lib/web/route-handler';

export const dynamic = 'force-dynamic';

export async function GET(request: Request, { params }: { params: Promise<{ token: string }> }) {
  if (isPrefetch(request)) return new Response(null, { status: 204 });
  return handleRoute(async () => fileResponse(await takeDownload(await requestContext(), (await params).token)));
}
