import type { Role, UserRow } from '@/lib/db/schema/users';

/** Who is acting: a signed-in person, an operator at the command line, or the portal itself. */
export type Actor =
  | { type: 'user'; userId: string; email: string; name: string; role: Role; sessionId: string }
  | { type: 'cli'; osUser: string }
  | { type: 'system'; job: string };

export function actorId(actor: Actor): string {
  switch (actor.type) {
    case 'user':
      return actor.userId;
    case 'cli':
      return `cli:${actor.osUser}`;
    case 'system':
      return `system:${actor.job}`;
  }
}

export function actorLabel(actor: Actor): string {
  switch (actor.type) {
    case 'user':
      return actor.email;
    case 'cli':
      return `${actor.osUser} (command line)`;
    case 'system':
      return `Custos (${actor.job})`;
  }
}

export function actorRole(actor: Actor): Role | null {
  return actor.type === 'user' ? actor.role : null;
}

/** The actor for a signed-in person's session. */
export function userActor(user: UserRow, sessionId: string): Actor & { type: 'user' } {
  return { type: 'user', userId: user.id, email: user.email, name: user.name, role: user.role, sessionId };
}
