import 'server-only';
import { headers } from 'next/headers';

import { BAD_REQUEST_HEADER } from './search-params';

export async function badRequestProblem(): Promise<string> {
  const raw = (await headers()).get(BAD_REQUEST_HEADER);
  if (!raw) return 'The address has a value this page cannot use.';
  try {
    return decodeURIComponent(raw);
  } catch {
    return 'The address has a value this page cannot use.';
  }
}
