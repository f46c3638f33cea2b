import { humanBlock } from '@/server/ledger/serial';
import { Card, CardContent, CardHeader, CardTitle } from '../../ui/card';
import { Table, TableBody, TableCaption, TableCell, TableHead, TableHeader, TableRow } from '../../ui/table';
import { when, type Overview } from './overview';

/** Descriptor records (A6R-45): the latest authorizations, with what they cover and from when. */
export function Authorizations({ data }: { data: Overview }) {
  const unitsOf = (body: Record<string, unknown>) => {
    const units = body.units as { mode: string; ranges?: { seriesId: string; firstSerial: string; lastSerial: string }[]; conditions?: Record<string, unknown> } | undefined;
    if (!units) return '—';
    if (units.mode === 'ranges') {
      return (units.ranges ?? [])
        .map((r) => {
          const parts = data.serialParts[r.seriesId];
          return parts ? humanBlock(parts, BigInt(r.firstSerial), BigInt(r.lastSerial)) : `${r.seriesId} ${r.firstSerial}–${r.lastSerial}`;
        })
        .join('; ');
    }
    const conditions = Object.entries(units.conditions ?? {});
    return conditions.length === 0 ? 'all units of the Party' : conditions.map(([k, v]) => `${k} ${String(v)}`).join(', ');
  };
  return (
    <Card>
      <CardHeader>
        <CardTitle>Authorizations</CardTitle>
      </CardHeader>
      {data.authorizations.length === 0 ? (
        <CardContent>
          <p>No authorization has been recorded.</p>
        </CardContent>
      ) : (
        <Table>
          <TableCaption>Descriptor records, never recalled: a newer record supersedes an older one from its own date.</TableCaption>
          <TableHeader>
            <TableRow>
              <TableHead>Party</TableHead>
              <TableHead>Uses</TableHead>
              <TableHead>Units</TableHead>
              <TableHead>Applies from</TableHead>
              <TableHead>Supersedes</TableHead>
            </TableRow>
          </TableHeader>
          <TableBody>
            {data.authorizations.map((a) => (
              <TableRow key={a.id}>
                <TableHead scope="row">{a.subject}</TableHead>
                <TableCell>
                  {String(a.body.uses)}
                  {a.body.oimpFirstTransfer ? ` (OIMP first transfer: ${String(a.body.oimpFirstTransfer).toLowerCase().replaceAll('_', ' ')})` : ''}
                </TableCell>
                <TableCell className="min-w-44 [overflow-wrap:anywhere]">{unitsOf(a.body)}</TableCell>
                <TableCell>{when(a.validFrom)}</TableCell>
                <TableCell className="font-mono text-xs">{a.body.supersedes ? String(a.body.supersedes) : '—'}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
    </Card>
  );
}
