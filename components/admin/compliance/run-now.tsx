'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useIdempotencyKey } from '../../idempotency/use-idempotency-key';
import { useTRPC } from '../../trpc-provider';
import { Alert } from '../../ui/alert';
import { Button } from '../../ui/button';
import { Card, CardContent, CardHeader, CardTitle } from '../../ui/card';
import { RequestFailure } from '../request-failure';
import { plural, when } from './report';

/** The on-demand run over the whole registry, logged under the administrator's name. */
export function RunNow({ onRun }: { onRun: (runId: string) => void }) {
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
        {run.isError ? <RequestFailure error={run.error} /> : null}
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
