import Link from 'next/link';
import type { Cell } from '@/lib/engine/port';
import { formatBytes, formatDuration, formatNumber, formatTime, formatUsd, shortArn, shortenMiddle } from '@/lib/format';
import type { ResultColumn } from '@/lib/queries/columns';
import { CopyButton } from '@/components/ui/copy-button';
import { ShortValue } from './short-value';

const EMPTY = <span className="text-slate-400">—</span>;

function numeric(value: Cell): number | null {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : NaN;
  return Number.isFinite(n) ? n : null;
}

/** Whether a column's values are right-aligned digits. */
export function isNumericKind(kind: ResultColumn['kind']): boolean {
  return kind === 'number' || kind === 'bytes' || kind === 'duration' || kind === 'usd';
}

/** One value as the table shows it, by its column's kind; `patientHref` opens the patient a cell names. */
export function CellValue({ column, value, patientHref }: { column: Pick<ResultColumn, 'kind' | 'label'>; value: Cell; patientHref?: string }) {
  if (value === null || value === '' || (Array.isArray(value) && value.length === 0)) return EMPTY;
  if (Array.isArray(value)) return <>{value.join(', ')}</>;
  const text = String(value);
  switch (column.kind) {
    case 'number':
      return <>{typeof value === 'boolean' ? text : formatNumber(value)}</>;
    case 'bytes': {
      const n = numeric(value);
      return n === null ? <>{text}</> : <span title={`${formatNumber(value as number | string)} bytes`}>{formatBytes(n)}</span>;
    }
    case 'duration': {
      const n = numeric(value);
      return <>{n === null ? text : formatDuration(n)}</>;
    }
    case 'usd': {
      const n = numeric(value);
      return <>{n === null ? text : formatUsd(n)}</>;
    }
    case 'time':
      return <time dateTime={text}>{formatTime(text)}</time>;
    case 'date':
      return <time dateTime={text.slice(0, 10)}>{text.slice(0, 10)}</time>;
    case 'boolean':
      return <>{value === true ? 'Yes' : value === false ? 'No' : text}</>;
    case 'id':
      return <ShortValue value={text} short={shortenMiddle(text)} what={column.label.toLowerCase()} />;
    case 'arn':
      return <ShortValue value={text} short={shortArn(text)} what={column.label.toLowerCase()} />;
    case 'patient':
      // the shortened hash is itself the link to the patient's view (narrow: it sits among the first columns)
      return patientHref ? (
        <span className="inline-flex items-center">
          <Link href={patientHref} prefetch={false} title={`${text}: open this patient's view`} className="text-brand-700 underline">
            <span aria-hidden>{shortenMiddle(text, 6, 4)}</span>
            <span className="sr-only">Open the view of patient {text}</span>
          </Link>
          <CopyButton value={text} label="Copy the full patient hash" />
        </span>
      ) : (
        <ShortValue value={text} short={shortenMiddle(text, 6, 4)} what="patient hash" />
      );
    default:
      return text.length > 40 ? (
        <span title={text} className="inline-block max-w-[18rem] truncate align-bottom">
          {text}
        </span>
      ) : (
        <>{text}</>
      );
  }
}
