import type { ComponentProps, ReactNode } from 'react';

type FieldProps = {
  id: string;
  label: string;
  help?: ReactNode;
  error?: string;
  children?: ReactNode;
};

/** A labelled control with its help text and error, wired for screen readers. */
export function Field({ id, label, help, error, children }: FieldProps) {
  return (
    <div className="flex flex-col gap-1">
      <label htmlFor={id} className="text-sm font-medium text-slate-800">
        {label}
      </label>
      {children}
      {help && !error ? (
        <p id={`${id}-help`} className="text-xs text-slate-500">
          {help}
        </p>
      ) : null}
      {error ? (
        <p id={`${id}-error`} role="alert" className="text-xs font-medium text-red-700">
          {error}
        </p>
      ) : null}
    </div>
  );
}

const control =
  'rounded-md border border-slate-300 bg-white px-3 py-2 text-sm shadow-sm focus:border-brand-600 aria-[invalid=true]:border-red-500';

export function Input({ className = '', ...props }: ComponentProps<'input'>) {
  return <input {...props} className={`${control} ${className}`} />;
}

export function Select({ className = '', ...props }: ComponentProps<'select'>) {
  return <select {...props} className={`${control} ${className}`} />;
}

export function describedBy(id: string, help?: unknown, error?: string): string | undefined {
  if (error) return `${id}-error`;
  return help ? `${id}-help` : undefined;
}
