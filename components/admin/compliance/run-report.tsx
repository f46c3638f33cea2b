'use client';

import { useQuery } from '@tanstack/react-query';
import { useTRPC } from '../../trpc-provider';
import { Card, CardContent, CardHeader, CardTitle } from '../../ui/card';
import { RequestFailure } from '../request-failure';
import { FindingTable } from './finding-table';
import { afterTransactions, plural, shortId, when } from './report';

/** One run's report: what it judged, what it found (new or still open), what it resolved. */
export function RunReport({ runId }: { runId: string }) {
  const trpc = useTRPC();
  const report = useQuery(trpc.compliance.report.queryOptions({ runId }));
  if (report.isPending) return <p role="status">Loading the report…</p>;
  if (report.isError) return <RequestFailure error={report.error} />;
  const { run, seen, resolved } = report.data;
  return (
    <Card aria-labelledby="run-report-heading">
      <CardHeader>
        <CardTitle id="run-report-heading">Report of run {shortId(run.id)}</CardTitle>
      </CardHeader>
      <CardContent className="space-y-2">
        <p>
          {run.trigger === 'ON_DEMAND' ? `On demand, by ${run.initiatorId ?? '—'}${run.impersonatorId ? ` (impersonated by ${run.impersonatorId})` : ''}, on the whole registry` : run.trigger === 'SCHEDULED' ? 'Scheduled, by the registry itself, on the whole registry' : `${afterTransactions(run.transactionCount).replace('after', 'After')}, on ${run.accountIds !== null ? `the accounts ${run.accountIds.join(', ')}` : run.transactionCount > 0 ? 'the accounts they touched' : 'the whole registry'}`}, as of {when(run.at)}.
          {run.logTransactionId ? ` Logged as transaction ${run.logTransactionId}.` : ''}
        </p>
        <ul className="list-disc pl-5 text-sm">
          {run.rules.map((r) => (
            <li key={r.rule}>
              <span className="font-mono">
                {r.rule} v{r.version}
              </span>{' '}
              with settings <span className="font-mono">{JSON.stringify(r.settings)}</span>: {r.findings === 0 ? 'holds' : plural(r.findings, 'finding')}
              {r.truncated ? ' (the list was cut short: there may be more, and this run resolved none of this rule’s findings)' : ''}
            </li>
          ))}
        </ul>
      </CardContent>
      {seen.length > 0 ? <FindingTable findings={seen} caption="What this run found." newIn={run.id} /> : null}
      {resolved.length > 0 ? <FindingTable findings={resolved} caption="Earlier findings this run no longer saw: resolved." /> : null}
    </Card>
  );
}
