import 'next-auth';
import 'next-auth/jwt';

declare module 'next-auth' {
  interface Session {
    user: { name: string | null; email: string | null; role: string };
  }
}

declare module 'next-auth/jwt' {
  interface JWT {
    sid?: string;
    uid?: string;
    role?: string;
  }
}
