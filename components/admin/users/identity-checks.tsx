import { Table, TableBody, TableCaption, TableCell, TableHead, TableHeader, TableRow } from '../../ui/table';
import type { AdministeredUser } from './user-permissions';

/** The identity checks recorded for the user, newest first (A6R-3). */
export function IdentityChecks({ verifications }: { verifications: AdministeredUser['verifications'] }) {
  return (
    <Table>
      <TableCaption>Identity checks</TableCaption>
      <TableHeader>
        <TableRow>
          <TableHead>Checked on</TableHead>
          <TableHead>What</TableHead>
          <TableHead>Outcome</TableHead>
          <TableHead>By</TableHead>
        </TableRow>
      </TableHeader>
      <TableBody>
        {verifications.length === 0 ? (
          <TableRow>
            <TableCell colSpan={4}>No identity check recorded.</TableCell>
          </TableRow>
        ) : (
          verifications.map((v) => (
            <TableRow key={`${v.checkedAt.toISOString()}-${v.method}-${v.verifiedById}`}>
              <TableCell>{v.checkedAt.toISOString().slice(0, 10)}</TableCell>
              <TableCell>{v.method}</TableCell>
              <TableCell>{v.outcome}</TableCell>
              <TableCell>{v.verifiedById}</TableCell>
            </TableRow>
          ))
        )}
      </TableBody>
    </Table>
  );
}
