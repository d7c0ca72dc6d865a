// Identities as sessions: one role session keeps one temporary access key for its lifetime.
import type { Principal } from './cloudtrail-record';
import { Rng } from './random';
import type { ClinicalRole, Clinician, ServiceRoleName, World } from './world';

export class Principals {
  private readonly cache = new Map<string, Principal>();

  constructor(private readonly world: World) {}

  role(name: ClinicalRole | ServiceRoleName, session: string, sessionStart: number): Principal {
    const key = `${name}|${session}|${sessionStart}`;
    let p = this.cache.get(key);
    if (!p) {
      p = { kind: 'role', role: this.world.roles[name], session, accessKeyId: this.accessKey(key), sessionStart };
      this.cache.set(key, p);
      if (this.cache.size > 50_000) this.cache.clear();
    }
    return p;
  }

  clinician(c: Clinician, sessionStart: number): Principal {
    return this.role(c.role, c.email, sessionStart);
  }

  user(name: keyof World['users'], consoleSessionStart?: number): Principal {
    const user = this.world.users[name];
    if (consoleSessionStart === undefined) return { kind: 'user', user, console: null };
    return {
      kind: 'user',
      user,
      console: { accessKeyId: this.accessKey(`${name}|console|${consoleSessionStart}`), sessionStart: consoleSessionStart },
    };
  }

  private accessKey(key: string): string {
    return `ASIA${new Rng(`custos-lake:${this.world.seed}:akid:${key}`).iamId(16)}`;
  }
}
