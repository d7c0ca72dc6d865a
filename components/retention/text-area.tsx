import type { ComponentProps } from 'react';

const control =
  'rounded-md border border-slate-300 bg-white px-3 py-2 text-sm shadow-sm focus:border-brand-600 aria-[invalid=true]:border-red-500';

export function TextArea({ className = '', ...props }: ComponentProps<'textarea'>) {
  return <textarea rows={3} {...props} className={`${control} ${className}`} />;
}
