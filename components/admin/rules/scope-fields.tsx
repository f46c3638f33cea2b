import { Field } from '../../ui/field';
import { Input, Select } from '../../ui/input';
import { SCOPES, type ScopeType } from './scope';

interface ScopeFieldsProps {
  readonly type: ScopeType;
  readonly id: string;
  readonly onType: (type: ScopeType) => void;
  readonly onId: (id: string) => void;
}

export function ScopeFields({ type, id, onType, onId }: ScopeFieldsProps) {
  return (
    <div className="grid gap-4 sm:grid-cols-2">
      <Field label="Scope">
        {(control) => (
          <Select {...control} value={type} onChange={(e) => onType(e.target.value as ScopeType)}>
            {SCOPES.map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </Select>
        )}
      </Field>
      {type === 'REGISTRY' ? null : (
        <Field label="Id of the approach, section or account" hint="For example CA0001, GHA or GHA-100-0001.">
          {(control) => <Input {...control} value={id} onChange={(e) => onId(e.target.value)} />}
        </Field>
      )}
    </div>
  );
}
