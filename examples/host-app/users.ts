import { createHash, timingSafeEqual } from 'node:crypto';

/** A signed-in person of the example host, as `req.user` holds it (what the module's defaults read). */
export interface HostUser {
  /** User id; the module records it on runs and audit events. */
  id: number;
  /** Sign-in name. */
  username: string;
  /** Display name. */
  name: string;
  /** `manage_settings` is the monolith's *Manage Settings* permission. */
  permissions: readonly string[];
}

/** A demo account: the example has no user table, only these two (printed at start). */
interface DemoAccount {
  user: HostUser;
  password: string;
}

const DEMO_ACCOUNTS: readonly DemoAccount[] = Object.freeze([
  { user: { id: 1, username: 'admin', name: 'Ada Admin', permissions: ['manage_settings'] }, password: 'admin' },
  { user: { id: 2, username: 'teacher', name: 'Tom Teacher', permissions: [] }, password: 'teacher' },
]);

/** The demo sign-ins, for the start-up banner. */
export function demoLogins(): Array<{ username: string; password: string; canManageSettings: boolean }> {
  return DEMO_ACCOUNTS.map(({ user, password }) => ({
    username: user.username,
    password,
    canManageSettings: user.permissions.includes('manage_settings'),
  }));
}

/** Whether the user holds Manage Settings. */
export function canManageSettings(user: HostUser): boolean {
  return user.permissions.includes('manage_settings');
}

/** The user whose name and password these are, or null. Compares in constant time. */
export function checkCredentials(username: string, password: string): HostUser | null {
  const account = DEMO_ACCOUNTS.find((candidate) => candidate.user.username === username);
  const expected = digest(account?.password ?? 'no such account');
  const ok = timingSafeEqual(expected, digest(password));
  return account && ok ? { ...account.user } : null;
}

/** The user with this id (for the session), or null. */
export function findUserById(id: unknown): HostUser | null {
  const account = DEMO_ACCOUNTS.find((candidate) => candidate.user.id === id);
  return account ? { ...account.user } : null;
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}
