'use client';

import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTRPC } from '../trpc-provider';
import { OpenFindings } from './compliance/open-findings';
import { PastRuns } from './compliance/past-runs';
import { RunNow } from './compliance/run-now';
import { RunReport } from './compliance/run-report';
import { RequestFailure } from './request-failure';

/**
 * The compliance report (A6R-19): what the compliance rules find open now, every past run (after
 * transactions or on demand) with its report, and the on-demand run over the whole registry.
 */
export function ComplianceAdmin({ mayRun }: { mayRun: boolean }) {
  const trpc = useTRPC();
  const overview = useQuery(trpc.compliance.overview.queryOptions());
  const [shown, setShown] = useState<string | null>(null);
  if (overview.isPending) return <p role="status">Loading the compliance report…</p>;
  if (overview.isError) return <RequestFailure error={overview.error} />;
  const data = overview.data;
  return (
    <div className="space-y-6">
      {mayRun ? <RunNow onRun={setShown} /> : null}
      <OpenFindings findings={data.open} wholeRegistry={data.wholeRegistry} shownAtMost={data.openShownAtMost} />
      <PastRuns runs={data.runs} onShow={setShown} shown={shown} />
      {shown ? <RunReport runId={shown} /> : null}
    </div>
  );
}
