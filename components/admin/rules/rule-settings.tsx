import { Card, CardContent, CardHeader, CardTitle } from '../../ui/card';
import { Table, TableBody, TableCaption, TableCell, TableHead, TableHeader, TableRow } from '../../ui/table';
import { when, type Overview } from './overview';
import { scopeText } from './scope';

/** Where each pluggable rule applies, with which settings. */
export function RuleSettings({ data }: { data: Overview }) {
  return (
    <Card>
      <CardHeader>
        <CardTitle>Where rules apply</CardTitle>
      </CardHeader>
      {data.settings.length === 0 ? (
        <CardContent>
          <p>No pluggable rule is configured: only the built-in rules apply.</p>
        </CardContent>
      ) : (
        <Table>
          <TableCaption>The latest setting of each rule in each scope; the most specific scope governs a transaction.</TableCaption>
          <TableHeader>
            <TableRow>
              <TableHead>Rule</TableHead>
              <TableHead>Scope</TableHead>
              <TableHead>Applies</TableHead>
              <TableHead>Settings</TableHead>
              <TableHead>Since</TableHead>
            </TableRow>
          </TableHeader>
          <TableBody>
            {data.settings.map((s) => (
              <TableRow key={s.id}>
                <TableHead scope="row" className="font-mono">
                  {s.rule}
                </TableHead>
                <TableCell>{scopeText(s.scopeType, s.scopeId)}</TableCell>
                <TableCell>{s.enabled ? 'yes' : 'switched off'}</TableCell>
                <TableCell className="font-mono text-xs">{JSON.stringify(s.settings)}</TableCell>
                <TableCell>
                  {when(s.createdAt)} (revision {s.revision})
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
    </Card>
  );
}
