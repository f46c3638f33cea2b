import { Badge } from '../../ui/badge';
import { Card, CardHeader, CardTitle } from '../../ui/card';
import { Table, TableBody, TableCaption, TableCell, TableHead, TableHeader, TableRow } from '../../ui/table';
import type { Overview } from './overview';

/** Every published version of every rule (docs/rules.md). */
export function RuleCatalog({ catalog }: { catalog: Overview['catalog'] }) {
  return (
    <Card>
      <CardHeader>
        <CardTitle>Rule versions</CardTitle>
      </CardHeader>
      <Table>
        <TableCaption>Every published version; a newer version supersedes the older from its date.</TableCaption>
        <TableHeader>
          <TableRow>
            <TableHead>Rule</TableHead>
            <TableHead>Version</TableHead>
            <TableHead>Kind</TableHead>
            <TableHead>In force</TableHead>
            <TableHead>What it does</TableHead>
          </TableRow>
        </TableHeader>
        <TableBody>
          {catalog.map((r) => (
            <TableRow key={`${r.name}-${r.version}`}>
              <TableHead scope="row" className="font-mono">
                {r.name}
              </TableHead>
              <TableCell>v{r.version}</TableCell>
              <TableCell>
                <Badge tone={r.kind === 'built-in' ? 'neutral' : 'info'}>{r.kind}</Badge>
              </TableCell>
              <TableCell>
                from {r.effectiveFrom.slice(0, 10)}
                {r.retiresAt ? `, retires ${r.retiresAt.slice(0, 10)}` : ''}
              </TableCell>
              <TableCell>{r.summary}</TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </Card>
  );
}
