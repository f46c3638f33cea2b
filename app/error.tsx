'use client';

import Link from 'next/link';
import { useEffect } from 'react';
import { Button } from '@/components/ui/button';

/**
 * The fallback for an unexpected failure while rendering a page. It never shows the error's message
 * or stack: only the digest, which matches the server log without revealing anything.
 */
export default function ErrorPage({ error, retry }: { error: unknown; retry: () => void }) {
  useEffect(() => {
    console.error(error);
  }, [error]);

  const digest = error instanceof Error && 'digest' in error && typeof error.digest === 'string' ? error.digest : null;
  return (
    <div className="max-w-prose space-y-4">
      <h1 className="text-2xl font-semibold">Something went wrong</h1>
      <p>The registry could not show this page. Please try again in a moment.</p>
      {digest ? (
        <p className="text-sm text-muted">
          If the problem continues, contact support and quote reference <code>{digest}</code>.
        </p>
      ) : null}
      <div className="flex flex-wrap items-center gap-4">
        <Button onClick={() => retry()}>Try again</Button>
        <Link href="/">Go to the dashboard</Link>
      </div>
    </div>
  );
}
