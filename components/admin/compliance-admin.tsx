'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useIdempotencyKey } from '../idempotency/use-idempotency-key';
import type { RouterOutputs } from '../router-types';
import { useTRPC } from '../trpc-provider';
import { errorMessages } from '../trpc-error';
import { Alert, AlertTitle } from '../ui/alert';
import { Badge } from '../ui/badge';
import { Button } from '../ui/button';
import { Card, CardContent, CardHeader, CardTitle } from '../ui/card';
import { Table, TableBody, TableCaption, TableCell, TableHead, TableHeader, TableRow } from '../ui/table';

type Overview = RouterOutputs['compliance']['overview'];
type Finding = Overview['open'][number];
type Run = Overview['runs'][number];

const when = (date: Date | null) => (date ? date.toISOString().replace('T', ' ').slice(0, 19) + ' UTC' : '—');
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
const shortId = (id: string) => id.slice(0, 8);
const afterTransactions = (count: number) => (count === 0 ? 'after transactions' : `after ${plural(count, 'transaction')}`);

function Failure({ error }: { error: unknown }) {
  return (
    <Alert tone="error" role="alert">
      <AlertTitle>The request failed</AlertTitle>
      {errorMessages(error).map((m) => (
        <p key={m}>{m}</p>
      ))}
    </Alert>
  );
}

/**
 * The compliance report (A6R-19): what the compliance rules find open now, every past run (after
 * transactions or on demand) with its report, and the on-demand run over the whole registry.
 */
export function ComplianceAdmin({ mayRun }: { mayRun: boolean }) {
  const trpc = useTRPC();
  const overview = useQuery(trpc.compliance.overview.queryOptions());
  const [shown, setShown] = useState<string | null>(null);
  if (overview.isPending) return <p role="status">Loading the compliance report…</p>;
  if (overview.isError) return <Failure error={overview.error} />;
  const data = overview.data;
  return (
    <div className="space-y-6">
      {mayRun ? <RunNow onRun={setShown} /> : null}
      <OpenFindings findings={data.open} wholeRegistry={data.wholeRegistry} shownAtMost={data.openShownAtMost} />
      <Runs runs={data.runs} onShow={setShown} shown={shown} />
      {shown ? <RunReport runId={shown} /> : null}
    </div>
  );
}

function RunNow({ onRun }: { onRun: (runId: string) => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const keys = useIdempotencyKey();
  const run = useMutation(
    trpc.compliance.run.mutationOptions({
      onSuccess: async (result) => {
        onRun(result.runId);
        await queryClient.invalidateQueries(trpc.compliance.overview.queryFilter());
      },
    }),
  );
  return (
    <Card>
      <CardHeader>
        <CardTitle>Run the checks</CardTitle>
      </CardHeader>
      <CardContent className="space-y-4">
        <p className="text-sm text-muted">Runs every configured compliance rule on the whole registry as of now. The run is recorded in the log of the registry under your name.</p>
        <Button onClick={() => void keys.send((idempotencyKey) => run.mutateAsync({ idempotencyKey })).catch(() => undefined)} disabled={run.isPending}>
          {run.isPending ? 'Checking…' : 'Run all checks now'}
        </Button>
        {run.isError ? <Failure error={run.error} /> : null}
        {run.data ? (
          <Alert tone={run.data.findings === 0 ? 'success' : 'info'} role="status">
            {run.data.rules === 0
              ? 'No compliance rule is configured: nothing was checked. Configure one on the rules page.'
              : `The checks ran as of ${when(run.data.at)}: ${plural(run.data.findings, 'finding')}, ${run.data.opened} new, ${run.data.resolved} resolved.`}
          </Alert>
        ) : null}
      </CardContent>
    </Card>
  );
}

function OpenFindings({ findings, wholeRegistry, shownAtMost }: { findings: readonly Finding[]; wholeRegistry: boolean; shownAtMost: number }) {
  return (
    <Card>
      <CardHeader>
        <CardTitle>Open findings</CardTitle>
      </CardHeader>
      {findings.length === 0 ? (
        <CardContent>
          <p>No open finding{wholeRegistry ? '' : ' in your sections'}.</p>
        </CardContent>
      ) : (
        <FindingTable findings={findings} caption={`What the compliance rules found and no later run has seen resolved${wholeRegistry ? '' : ', in your sections'}${findings.length >= shownAtMost ? `; the oldest ${shownAtMost} are shown` : ''}.`} />
      )}
    </Card>
  );
}

function FindingTable({ findings, caption, newIn }: { findings: readonly (Finding & { newInRun?: boolean })[]; caption: string; newIn?: string }) {
  return (
    <Table>
      <TableCaption>{caption}</TableCaption>
      <TableHeader>
        <TableRow>
          <TableHead>Account</TableHead>
          <TableHead>Check</TableHead>
          <TableHead>Units</TableHead>
          <TableHead>What is wrong</TableHead>
          <TableHead>Found</TableHead>
          <TableHead>State</TableHead>
        </TableRow>
      </TableHeader>
      <TableBody>
        {findings.map((f) => (
          <TableRow key={f.id}>
            <TableHead scope="row" className="font-mono text-xs">
              {f.accountId}
            </TableHead>
            <TableCell className="font-mono text-xs">
              {f.rule} v{f.version}
            </TableCell>
            <TableCell className="min-w-44 font-mono text-xs [overflow-wrap:anywhere]">{f.units ?? '—'}</TableCell>
            <TableCell>{f.message}</TableCell>
            <TableCell>
              {when(f.foundAt)}, {f.foundBy} (run {shortId(f.foundByRunId)})
            </TableCell>
            <TableCell>
              {f.resolvedByRunId ? (
                <Badge tone="success">resolved by run {shortId(f.resolvedByRunId)}</Badge>
              ) : newIn !== undefined && f.newInRun ? (
                <Badge tone="warning">open, new in this run</Badge>
              ) : (
                <Badge tone="warning">open</Badge>
              )}
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}

function Runs({ runs, onShow, shown }: { runs: readonly Run[]; onShow: (runId: string) => void; shown: string | null }) {
  return (
    <Card>
      <CardHeader>
        <CardTitle>Past runs</CardTitle>
      </CardHeader>
      {runs.length === 0 ? (
        <CardContent>
          <p>No compliance run has been recorded yet.</p>
        </CardContent>
      ) : (
        <Table>
          <TableCaption>The latest runs, newest first: after transactions (on the accounts they touched) or on demand (the whole registry).</TableCaption>
          <TableHeader>
            <TableRow>
              <TableHead>Run</TableHead>
              <TableHead>As of</TableHead>
              <TableHead>Why</TableHead>
              <TableHead>Checks</TableHead>
              <TableHead>Findings</TableHead>
              <TableHead>
                <span className="sr-only">Report</span>
              </TableHead>
            </TableRow>
          </TableHeader>
          <TableBody>
            {runs.map((run) => (
              <TableRow key={run.id}>
                <TableHead scope="row" className="font-mono text-xs">
                  {shortId(run.id)}
                </TableHead>
                <TableCell>{when(run.at)}</TableCell>
                <TableCell>{run.trigger === 'ON_DEMAND' ? `on demand, by ${run.initiatorId ?? '—'}` : run.trigger === 'SCHEDULED' ? 'scheduled' : afterTransactions(run.transactionCount)}</TableCell>
                <TableCell className="font-mono text-xs">{run.rules.map((r) => `${r.rule} v${r.version}`).join(', ')}</TableCell>
                <TableCell>
                  {run.findings} ({run.opened} new, {run.resolved} resolved)
                </TableCell>
                <TableCell>
                  <Button size="sm" variant="secondary" onClick={() => onShow(run.id)} aria-pressed={shown === run.id}>
                    Report<span className="sr-only"> of run {shortId(run.id)}</span>
                  </Button>
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
    </Card>
  );
}

function RunReport({ runId }: { runId: string }) {
  const trpc = useTRPC();
  const report = useQuery(trpc.compliance.report.queryOptions({ runId }));
  if (report.isPending) return <p role="status">Loading the report…</p>;
  if (report.isError) return <Failure error={report.error} />;
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
