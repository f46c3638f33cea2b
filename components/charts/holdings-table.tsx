import { formatUnits } from '../format';
import { keyOf, type Pivot } from './holdings-pivot';

/** The chart's figures as a table, for assistive technology (visually hidden). */
export function HoldingsTable({ pivot: { unitTypes, vintages, exact } }: { pivot: Pivot }) {
  return (
    <table className="sr-only">
      <caption>Units held by vintage and unit type</caption>
      <thead>
        <tr>
          <th scope="col">Vintage</th>
          {unitTypes.map((t) => (
            <th key={t} scope="col">
              {t}
            </th>
          ))}
          <th scope="col">Total</th>
        </tr>
      </thead>
      <tbody>
        {vintages.map((vintage) => (
          <tr key={vintage}>
            <th scope="row">{vintage}</th>
            {unitTypes.map((t) => (
              <td key={t}>{formatUnits(exact.get(keyOf(vintage, t)) ?? 0n)}</td>
            ))}
            <td>{formatUnits(unitTypes.reduce((sum, t) => sum + (exact.get(keyOf(vintage, t)) ?? 0n), 0n))}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
