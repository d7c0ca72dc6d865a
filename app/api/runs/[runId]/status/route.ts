import { handleRoute } from '@/lib/actions';
import { requestContext } from '@/lib/auth/guard';
import { getRun } from '@/lib/queries/ledger';

export const dynamic = 'force-dynamic';

export async function GET(_request: Request, { params }: { params: Promise<{ runId: string }> }) {
  return handleRoute(async () => {
    const { runId } = await params;
    const run = await getRun(await requestContext(), runId);
    return Response.json({ status: run.status, progress: run.progress, rowCount: run.rowCount, error: run.error });
  });
}
