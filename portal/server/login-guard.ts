/**
 * Failed logins, counted two ways (OWASP's authentication cheat sheet):
 * - per username: after `maxFailures` failures within the lock time, that username is locked for the lock time —
 *   by its own failures only, whoever made them, and whatever address they came from;
 * - per address: after `ipMaxFailures` failures from one address, its further attempts are answered one at a time,
 *   a second apart (password spraying slows to a crawl), but a correct password still logs in: a municipality
 *   behind one NAT or proxy is one address, and one person's typos must not lock out the others.
 * Successful logins are never counted. State is in memory (per server) and bounded.
 */
export interface LoginGuardOptions {
  maxFailures: number;
  lockMs: number;
  ipMaxFailures: number;
  /** Spacing of attempts from an address over its limit, and how many may wait for their turn. */
  ipSpacingMs?: number;
  ipQueueMax?: number;
  now?: () => number;
}

export type LoginVerdict = { ok: true } | { ok: false; reason: 'user_locked' | 'ip_busy'; retryAfterSeconds: number };

const MAX_TRACKED = 20_000;

export class LoginGuard {
  private users = new Map<string, number[]>();
  private ips = new Map<string, number[]>();
  private ipTurns = new Map<string, { next: number; waiting: number }>();

  constructor(private readonly opts: LoginGuardOptions) {}

  private now(): number {
    return this.opts.now?.() ?? Date.now();
  }

  private recent(map: Map<string, number[]>, key: string): number[] {
    const since = this.now() - this.opts.lockMs;
    const list = (map.get(key) ?? []).filter((t) => t > since);
    if (list.length) map.set(key, list);
    else map.delete(key);
    return list;
  }

  /** May this attempt go ahead? Waits for its turn when the address is over its limit. */
  async admit(username: string, ip: string): Promise<LoginVerdict> {
    const failures = this.recent(this.users, username);
    if (failures.length >= this.opts.maxFailures) {
      return { ok: false, reason: 'user_locked', retryAfterSeconds: Math.max(1, Math.ceil((failures[0] + this.opts.lockMs - this.now()) / 1000)) };
    }
    if (this.recent(this.ips, ip).length < this.opts.ipMaxFailures) return { ok: true };
    const spacing = this.opts.ipSpacingMs ?? 1000;
    const turn = this.ipTurns.get(ip) ?? { next: 0, waiting: 0 };
    if (turn.waiting >= (this.opts.ipQueueMax ?? 10)) return { ok: false, reason: 'ip_busy', retryAfterSeconds: Math.ceil((turn.waiting * spacing) / 1000) };
    const at = Math.max(this.now(), turn.next);
    turn.next = at + spacing;
    turn.waiting++;
    this.ipTurns.set(ip, turn);
    const wait = at - this.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    turn.waiting--;
    if (!turn.waiting && turn.next <= this.now()) this.ipTurns.delete(ip);
    return { ok: true };
  }

  /** A wrong password or an unknown user. Returns true when this failure locked the username. */
  fail(username: string, ip: string): boolean {
    const t = this.now();
    for (const [map, key] of [
      [this.users, username],
      [this.ips, ip],
    ] as const) {
      const list = this.recent(map, key);
      list.push(t);
      map.set(key, list);
      if (map.size > MAX_TRACKED) map.delete(map.keys().next().value!);
    }
    return (this.users.get(username)?.length ?? 0) >= this.opts.maxFailures;
  }

  /** A correct password: the username's own failures are forgotten (the address's are not). */
  succeed(username: string): void {
    this.users.delete(username);
  }
}
