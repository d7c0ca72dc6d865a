import { healthResponse } from '@/lib/web/health';

export const dynamic = 'force-dynamic';

export const GET = () => healthResponse();
