import Link from 'next/link';
import { Card, CardContent, CardHeader, CardTitle } from '../../ui/card';

/** Compliance rules judge end states; their runs, findings and the on-demand run have a page of their own. */
export function ComplianceLink() {
  return (
    <Card>
      <CardHeader>
        <CardTitle>Compliance</CardTitle>
      </CardHeader>
      <CardContent>
        <p>
          Compliance rules are configured above, for the whole registry. Their findings, past runs and the on-demand run are on the <Link href="/admin/compliance" className="underline">compliance page</Link>.
        </p>
      </CardContent>
    </Card>
  );
}
