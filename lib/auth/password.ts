import 'server-only';
import { hash, verify } from '@node-rs/argon2';

// argon2id with OWASP's baseline (19 MiB, 2 passes): memory-hard, so offline guessing is costly.
const OPTIONS = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS);
}

export async function verifyPassword(stored: string, password: string): Promise<boolean> {
  try {
    return await verify(stored, password);
  } catch {
    return false;
  }
}

let dummy: Promise<string> | undefined;

/** Spends the same effort as a real check, so unknown accounts cannot be told apart by timing. */
export async function burnVerification(password: string): Promise<void> {
  dummy ??= hashPassword('custos-timing-equalizer');
  await verifyPassword(await dummy, password);
}
