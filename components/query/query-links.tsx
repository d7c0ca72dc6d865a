import Link from 'next/link';
import type { QuerySummaryDto } from '@/lib/queries/list-queries';

export function QueryLinks({ queries, empty }: { queries: QuerySummaryDto[]; empty: string }) {
  if (queries.length === 0) return <p className="text-sm text-slate-600">{empty}</p>;
  return (
    <ul className="grid gap-3 md:grid-cols-2">
      {queries.map((q) => (
        <li key={q.id} className="rounded-md border border-slate-200 p-4">
          <Link href={`/audit/${q.id}`} className="font-medium text-brand-700 hover:underline">
            {q.title}
          </Link>
          <p className="mt-1 line-clamp-3 text-sm text-slate-600">{q.description}</p>
        </li>
      ))}
    </ul>
  );
}
