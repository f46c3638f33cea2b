import { Button } from '../../ui/button';
import { Card, CardContent, CardHeader, CardTitle } from '../../ui/card';
import { Table, TableBody, TableCaption, TableCell, TableHead, TableHeader, TableRow } from '../../ui/table';
import { afterTransactions, shortId, when, type Run } from './report';

/** The latest runs, newest first, each with a button that shows its report. */
export function PastRuns({ runs, onShow, shown }: { runs: readonly Run[]; onShow: (runId: string) => void; shown: string | null }) {
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
