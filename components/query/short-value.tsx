import { CopyButton } from '@/components/ui/copy-button';

/**
 * A long value (ARN, UID, hash) shown shortened: the full value on hover, to screen readers and in
 * the copy button.
 */
export function ShortValue({ value, short, what }: { value: string; short: string; what: string }) {
  return (
    <span className="inline-flex items-center">
      {short === value ? (
        <span>{value}</span>
      ) : (
        <>
          <span aria-hidden title={value}>
            {short}
          </span>
          <span className="sr-only">{value}</span>
        </>
      )}
      <CopyButton value={value} label={`Copy the full ${what}`} />
    </span>
  );
}
