import 'server-only';
import { getServices } from '@/lib/boot/services';
import { checkHealth } from '@/lib/health';

/** GET /api/health: 200 while the database answers, 503 when the portal cannot serve. */
export async function healthResponse(): Promise<Response> {
  const health = await checkHealth(getServices);
  return Response.json(health, { status: health.status === 'error' ? 503 : 200 });
}
