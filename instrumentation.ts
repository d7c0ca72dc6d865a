// Next.js calls register() once when the server starts: the portal opens its services and starts
// its job worker then, not at the first request, so scheduled and resumed jobs run on an idle portal.
export async function register() {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const { getServices } = await import('./lib/boot/services');
  await getServices();
}
