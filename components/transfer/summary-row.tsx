import type { ReactNode } from 'react';

/** One term and its value in a summary list. */
export function SummaryRow({ term, children }: { term: string; children: ReactNode }) {
  return (
    <>
      <dt className="text-sm text-muted sm:pt-0.5">{term}</dt>
      <dd className="font-medium">{children}</dd>
    </>
  );
}
