import { Card, CardContent, CardHeader, CardTitle } from '../../ui/card';
import { FindingTable } from './finding-table';
import type { Finding } from './report';

/** What the compliance rules found and no later run has seen resolved. */
export function OpenFindings({ findings, wholeRegistry, shownAtMost }: { findings: readonly Finding[]; wholeRegistry: boolean; shownAtMost: number }) {
  return (
    <Card>
      <CardHeader>
        <CardTitle>Open findings</CardTitle>
      </CardHeader>
      {findings.length === 0 ? (
        <CardContent>
          <p>No open finding{wholeRegistry ? '' : ' in your sections'}.</p>
        </CardContent>
      ) : (
        <FindingTable findings={findings} caption={`What the compliance rules found and no later run has seen resolved${wholeRegistry ? '' : ', in your sections'}${findings.length >= shownAtMost ? `; the oldest ${shownAtMost} are shown` : ''}.`} />
      )}
    </Card>
  );
}
