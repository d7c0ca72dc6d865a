import type { Metadata } from 'next';
import { BadRequest } from '@/components/shell/bad-request';
import { badRequestProblem } from '@/lib/web/bad-request';
import { currentActor } from '@/lib/web/guard';

export const metadata: Metadata = { title: 'Bad address' };

// proxy.ts rewrites here, with status 400, when a page's query string cannot be used.
export default async function BadRequestPage() {
  const { actor } = await currentActor();
  return <BadRequest problem={await badRequestProblem()} signedIn={Boolean(actor)} />;
}
