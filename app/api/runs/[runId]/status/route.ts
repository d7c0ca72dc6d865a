import { requestContext } from '@/lib/web/guard';
import { getRun } from '@/lib/queries/get-run';
import { handleRoute } from '@/lib/web/route-handler';

export const dynamic = 'force-dynamic';

export async function GET(_request: Request, { params }: { params: Promise<{ runId: string }> }) {
  return handleRoute(async () => {
    const { runId } = await params;
    // the run page polls this while a query runs: that is not the person's activity
    const run = await getRun(await requestContext({ activity: false }), runId);
    return Response.json({ status: run.status, progress: run.progress, rowCount: run.rowCount, error: run.error });
  });
}
