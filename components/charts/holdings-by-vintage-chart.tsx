'use client';

import { useId } from 'react';
import { Bar, BarChart, CartesianGrid, Legend, Tooltip, XAxis, YAxis } from 'recharts';
import { formatUnits } from '../format';
import type { VintageHolding } from '../router-types';
import { Card, CardContent, CardHeader, CardTitle } from '../ui/card';
import { keyOf, pivot, type Pivot } from './holdings-pivot';
import { HoldingsTable } from './holdings-table';

// Fills with at least 3:1 against white (WCAG 1.4.11); legend text stays dark, so no text relies on them.
const palette = ['#1d4ed8', '#b45309', '#047857', '#7c3aed', '#be123c', '#0e7490', '#475569'] as const;

const compact = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 });

/** What a screen reader announces for the chart; the exact figures are in the table that follows it. */
function describe({ vintages, unitTypes, total }: Pivot): string {
  const first = vintages[0];
  const last = vintages[vintages.length - 1];
  const span = first === last ? ` ${first}` : `, from ${first} to ${last}`;
  return `Stacked bar chart of units held by vintage${span}, one colour per unit type (${unitTypes.join(', ')}); ${formatUnits(total)} units in all. The figures follow in a table.`;
}

/**
 * Recharts scales work on JavaScript numbers, so the bar heights (and only they) go through Number.
 * That loses precision above 2^53 units, far beyond any registry's holdings; the tooltip and the
 * table print the exact bigint.
 */
function chartRows({ unitTypes, vintages, exact }: Pivot) {
  return vintages.map((vintage) => ({ vintage: String(vintage), ...Object.fromEntries(unitTypes.map((t) => [t, Number(exact.get(keyOf(vintage, t)) ?? 0n)])) }));
}

/** Stacked bars of current holdings per vintage, one colour per unit type, with the same data as a table for assistive technology. */
export function HoldingsByVintageChart({ data }: { data: readonly VintageHolding[] }) {
  const headingId = useId();
  const p = pivot(data);

  return (
    <Card aria-labelledby={headingId}>
      <CardHeader>
        <CardTitle id={headingId}>Holdings by vintage</CardTitle>
      </CardHeader>
      <CardContent>
        {data.length === 0 ? (
          <p className="text-muted">Your accounts hold no units yet, so there is nothing to chart.</p>
        ) : (
          <figure>
            <div role="img" aria-label={describe(p)} className="h-80 w-full">
              {/* The keyboard layer is off: inside role="img" it would be an unreachable focus stop; the table below carries the data. */}
              <BarChart responsive accessibilityLayer={false} data={chartRows(p)} margin={{ top: 8, right: 8, bottom: 8, left: 16 }} style={{ width: '100%', height: '100%' }}>
                <CartesianGrid strokeDasharray="3 3" vertical={false} stroke="#cbd5e1" />
                <XAxis dataKey="vintage" tick={{ fill: '#334155' }} />
                <YAxis tick={{ fill: '#334155' }} tickFormatter={(value: number) => compact.format(value)} />
                <Tooltip formatter={(_value, name, item) => [formatUnits(p.exact.get(keyOf(Number((item.payload as { vintage: string }).vintage), String(name))) ?? 0n), name]} />
                <Legend formatter={(value: string) => <span className="text-ink">{value}</span>} />
                {p.unitTypes.map((unitType, index) => (
                  <Bar key={unitType} dataKey={unitType} stackId="holdings" fill={palette[index % palette.length]} isAnimationActive={false} />
                ))}
              </BarChart>
            </div>
            <figcaption className="mt-2 text-sm text-muted">Units currently held in your accounts, by vintage year and unit type.</figcaption>
          </figure>
        )}
        {data.length > 0 ? <HoldingsTable pivot={p} /> : null}
      </CardContent>
    </Card>
  );
}
