import { sql } from 'drizzle-orm';
import { boolean, index, integer, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

export const ROLES = ['privacy_officer', 'security_officer', 'approver', 'auditor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const users = pgTable(
  'users',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** Local accounts sign in with it (unique among them); for people from the identity provider it is a label: their verified email, else their username. */
    email: text('email').notNull(),
    name: text('name').notNull(),
    role: text('role', { enum: ROLES }).notNull(),
    /** argon2id hash; null for accounts that sign in through the identity provider only. */
    passwordHash: text('password_hash'),
    source: text('source', { enum: ['local', 'oidc'] }).notNull().default('local'),
    demo: boolean('demo').notNull().default(false),
    disabled: boolean('disabled').notNull().default(false),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    lastSignInAt: timestamp('last_sign_in_at', { withTimezone: true }),
    /** A person from the identity provider is who (issuer, subject) says, never whoever has their email. */
    oidcIssuer: text('oidc_issuer'),
    oidcSubject: text('oidc_subject'),
  },
  (t) => [
    uniqueIndex('users_local_email_idx').on(t.email).where(sql`${t.source} = 'local'`),
    uniqueIndex('users_oidc_identity_idx').on(t.oidcIssuer, t.oidcSubject),
  ],
);

/** Server-side session records: idle expiry and sign-out are enforced here, not by the cookie. */
export const authSessions = pgTable(
  'auth_sessions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    lastSeenAt: timestamp('last_seen_at', { withTimezone: true }).notNull().defaultNow(),
    endedAt: timestamp('ended_at', { withTimezone: true }),
    endReason: text('end_reason', { enum: ['sign_out', 'idle', 'disabled', 'lifetime'] }),
  },
  (t) => [index('auth_sessions_user_idx').on(t.userId)],
);

/**
 * Sign-in attempts counted per key — an account name (`account:<email>`, whether or not it exists),
 * a client address (`source:<address>`) and the whole portal (`global`) — within a window, with the
 * exponential back-off that follows the allowance and the window's not yet journaled failures.
 */
export const signInThrottle = pgTable('sign_in_throttle', {
  key: text('key').primaryKey(),
  windowStart: timestamp('window_start', { withTimezone: true }).notNull(),
  /** Attempts evaluated in the window (counted before the password is checked; a success gives its one back). */
  failures: integer('failures').notNull().default(0),
  /** Attempts refused unevaluated during a back-off. */
  refused: integer('refused').notNull().default(0),
  /** No attempt for this key is evaluated before this time. */
  nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }).notNull(),
});

export type UserRow = typeof users.$inferSelect;
