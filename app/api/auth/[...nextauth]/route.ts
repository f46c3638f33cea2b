import NextAuth from 'next-auth';
import type { NextRequest } from 'next/server';
import { getAuthOptions } from '@/server/auth/auth-options';

// next-auth's endpoints (csrf, callback/credentials, session, signout). The options are passed per
// request so that the configuration is read at run time, not when the build imports this module.
async function handler(req: NextRequest, context: { params: Promise<{ nextauth: string[] }> }): Promise<Response> {
  return NextAuth(req, context, getAuthOptions());
}

export { handler as GET, handler as POST };
