import { MAX_VERIFY_BYTES, verifyEvidence } from '@/lib/evidence/verify-evidence';
import { requestContext } from '@/lib/web/guard';
import { handleRoute } from '@/lib/web/route-handler';

export const dynamic = 'force-dynamic';

// A route handler rather than a server action: reports run to megabytes, past an action's body limit.
// Like an action it refuses another site's page posting here with the visitor's cookies.
function crossSite(request: Request): boolean {
  const site = request.headers.get('sec-fetch-site');
  if (site && site !== 'same-origin' && site !== 'none') return true;
  const origin = request.headers.get('origin');
  if (!origin) return false;
  const host = request.headers.get('x-forwarded-host') ?? request.headers.get('host');
  try {
    return new URL(origin).host !== host;
  } catch {
    return true;
  }
}

export async function POST(request: Request) {
  if (crossSite(request)) return Response.json({ error: 'Cross-site requests are refused.' }, { status: 403 });
  return handleRoute(async () => {
    const ctx = await requestContext();
    if (Number(request.headers.get('content-length') ?? 0) > MAX_VERIFY_BYTES + 64 * 1024) {
      return Response.json({ error: 'File: larger than 64 MB, which no Custos report is.', fieldErrors: { file: 'Larger than 64 MB.' } }, { status: 413 });
    }
    const form = await request.formData().catch(() => null);
    const file = form?.get('file');
    const bytes = file instanceof Blob ? Buffer.from(await file.arrayBuffer()) : Buffer.alloc(0);
    return Response.json(await verifyEvidence(ctx, bytes));
  });
}
