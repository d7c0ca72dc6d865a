import { redirect } from 'next/navigation';
import { currentActor } from '@/lib/web/guard';
import { homeFor } from '@/lib/auth/navigation';

export default async function Home() {
  const { actor } = await currentActor();
  if (!actor) redirect('/sign-in');
  redirect(homeFor(actor).href);
}
