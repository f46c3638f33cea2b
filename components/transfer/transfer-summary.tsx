import type { ReactNode } from 'react';
import { formatUnits } from '../format';
import { SummaryRow } from './summary-row';
import type { PreparedTransfer } from './transfer-fields';

/** What the transfer will move, from where to where: the review's list. */
export function TransferSummary({ transfer: { from, to, selection, quantity, block } }: { transfer: PreparedTransfer }) {
  let units: ReactNode;
  if (selection.mode === 'explicit') {
    units = `Serials ${String(selection.firstSerial)} to ${String(selection.lastSerial)} of block ${block?.serialRange ?? selection.seriesId}`;
  } else {
    const { unitType, hostParty, vintage } = selection.constraints ?? {};
    const parts = [unitType && `unit type ${unitType}`, hostParty && `host Party ${hostParty}`, vintage && `vintage ${vintage}`].filter(Boolean);
    units = parts.length > 0 ? `Units matching ${parts.join(', ')}, smallest blocks first` : 'Any units the account holds, smallest blocks first';
  }
  return (
    <dl className="grid gap-x-6 gap-y-3 sm:grid-cols-[max-content_1fr]">
      <SummaryRow term="From">
        {from.name} ({from.id})
      </SummaryRow>
      <SummaryRow term="To">
        {to.name} ({to.id}), held by {to.holderName}
      </SummaryRow>
      <SummaryRow term="Units">
        <span className="[overflow-wrap:anywhere]">{units}</span>
      </SummaryRow>
      <SummaryRow term="Quantity">{formatUnits(quantity)} units</SummaryRow>
    </dl>
  );
}
