import { Badge } from '../../ui/badge';
import { Table, TableBody, TableCaption, TableCell, TableHead, TableHeader, TableRow } from '../../ui/table';
import { shortId, when, type Finding } from './report';

/** Findings, one per row: the account, the check, the units, what is wrong, when found, and whether resolved. */
export function FindingTable({ findings, caption, newIn }: { findings: readonly (Finding & { newInRun?: boolean })[]; caption: string; newIn?: string }) {
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
