import type { BlockView } from '../router-types';
import type { FieldErrors, TransferFields } from './transfer-fields';

/** What the two ways of choosing units are given: the form's fields and errors, the account's blocks, the chosen block. */
export interface UnitSelectionProps {
  readonly fields: TransferFields;
  readonly errors: FieldErrors;
  readonly blocks: readonly BlockView[] | undefined;
  readonly block: BlockView | undefined;
  readonly onChange: (patch: Partial<TransferFields>) => void;
}
