import { describe, expect, it } from 'vitest';
import type { BlockView } from '../router-types';
import { chosenBlock, initialFields, validateTransfer, type TransferFields } from './transfer-fields';

const block: BlockView = {
  id: 7n,
  seriesId: 'S1',
  serialRange: 'CA0001-IR-GHA-1-2021–CA0001-IR-GHA-100-2021',
  firstSerial: 1n,
  lastSerial: 100n,
  quantity: 100n,
  unitType: 'ITMO',
  hostParty: 'GHA',
  activityId: 'GHA-COOK-001',
  vintage: 2021,
  metric: 'tCO2e',
  createdAt: new Date(0),
};

const fields = (patch: Partial<TransferFields>): TransferFields => ({ ...initialFields({ from: 'A-1' }), toAccountId: 'B-2', ...patch });

describe('validateTransfer', () => {
  it('builds an implicit selection with only the constraints chosen', () => {
    expect(validateTransfer(fields({ quantity: '1,000', vintage: '2021' }), undefined)).toEqual({
      ok: true,
      selection: { mode: 'implicit', quantity: 1000n, constraints: { vintage: 2021 } },
      quantity: 1000n,
    });
  });

  it('builds an explicit selection from the chosen block and counts its units', () => {
    expect(validateTransfer(fields({ mode: 'explicit', blockId: '7', firstSerial: '11', lastSerial: '20' }), block)).toEqual({
      ok: true,
      selection: { mode: 'explicit', seriesId: 'S1', firstSerial: 11n, lastSerial: 20n },
      quantity: 10n,
    });
  });

  it('reports every problem beside its field at once', () => {
    const checked = validateTransfer(fields({ fromAccountId: '', toAccountId: ' ', mode: 'explicit', blockId: '', firstSerial: '5', lastSerial: '4' }), undefined);
    expect(checked).toEqual({
      ok: false,
      errors: {
        fromAccountId: 'Choose the account to transfer from.',
        toAccountId: 'Enter the number of the account to transfer to.',
        blockId: 'Choose the block to take units from.',
        lastSerial: 'The last serial must not be before the first serial.',
      },
    });
  });

  it('refuses a transfer to the account it comes from', () => {
    expect(validateTransfer(fields({ toAccountId: ' A-1 ', quantity: '1' }), undefined)).toEqual({
      ok: false,
      errors: { toAccountId: 'The account to transfer to must differ from the account to transfer from.' },
    });
  });
});

describe('chosenBlock', () => {
  it('follows the query string until the user picks a block', () => {
    const other = { ...block, id: 8n, firstSerial: 101n, lastSerial: 200n };
    const initial = { from: 'A-1', series: 'S1', first: '150', last: '160' };
    expect(chosenBlock(initialFields(initial), [block, other], initial)).toBe(other);
    expect(chosenBlock({ ...initialFields(initial), blockId: '7' }, [block, other], initial)).toBe(block);
    expect(chosenBlock({ ...initialFields(initial), blockId: '' }, [block, other], initial)).toBeUndefined();
  });
});
