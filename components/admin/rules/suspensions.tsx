'use client';

import { useState } from 'react';
import { Badge } from '../../ui/badge';
import { Button } from '../../ui/button';
import { Card, CardContent, CardHeader, CardTitle } from '../../ui/card';
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '../../ui/table';
import { LiftForm } from './lift-form';
import { when, type Overview } from './overview';
import { scopeText } from './scope';

/** The suspensions of rules, in force, scheduled, over or lifted, each with a way to lift it early. */
export function Suspensions({ data }: { data: Overview }) {
  const now = data.now.getTime();
  const [lifting, setLifting] = useState<Overview['suspensions'][number] | null>(null);
  return (
    <Card>
      <CardHeader>
        <CardTitle>Suspensions</CardTitle>
      </CardHeader>
      {data.suspensions.length === 0 ? (
        <CardContent>
          <p>No rule has been suspended.</p>
        </CardContent>
      ) : (
        <Table>
          <TableHeader>
            <TableRow>
              <TableHead>Rule</TableHead>
              <TableHead>Scope</TableHead>
              <TableHead>Window</TableHead>
              <TableHead>State</TableHead>
              <TableHead>Reason</TableHead>
              <TableHead>Lift early</TableHead>
            </TableRow>
          </TableHeader>
          <TableBody>
            {data.suspensions.map((s) => {
              // A suspension lifted early ends when it was lifted.
              const end = s.lifted && (!s.validUntil || s.lifted.at < s.validUntil) ? s.lifted.at : s.validUntil;
              const over = end !== null && end.getTime() <= now;
              const active = !over && s.validFrom !== null && s.validFrom.getTime() <= now;
              const state = s.lifted ? `lifted ${when(s.lifted.at)}` : active ? 'in force' : over ? 'over' : 'scheduled';
              return (
                <TableRow key={s.id}>
                  <TableHead scope="row" className="font-mono">
                    {s.subject}
                  </TableHead>
                  <TableCell>{scopeText(s.scopeType, s.scopeId)}</TableCell>
                  <TableCell>
                    {when(s.validFrom)} – {when(s.validUntil)}
                  </TableCell>
                  <TableCell>
                    <Badge tone={active ? 'warning' : 'neutral'}>{state}</Badge>
                  </TableCell>
                  <TableCell>
                    {String(s.body.reason ?? '')}
                    {s.lifted ? <span className="block text-sm text-muted">Lifted: {s.lifted.reason}</span> : null}
                  </TableCell>
                  <TableCell>
                    {s.lifted || over ? (
                      <span className="text-sm text-muted">—</span>
                    ) : (
                      <Button size="sm" variant="secondary" aria-label={`Lift the suspension of ${s.subject} for the ${scopeText(s.scopeType, s.scopeId)}`} aria-expanded={lifting?.id === s.id} onClick={() => setLifting(s)}>
                        Lift…
                      </Button>
                    )}
                  </TableCell>
                </TableRow>
              );
            })}
          </TableBody>
        </Table>
      )}
      {lifting ? <LiftForm key={lifting.id} suspension={lifting} onClose={() => setLifting(null)} /> : null}
    </Card>
  );
}
