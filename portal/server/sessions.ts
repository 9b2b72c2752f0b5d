import type { AppDb } from '../../common/db/app-db.js';
import { AuthError } from '../../common/errors.js';
import type { VerifiedToken } from './auth.js';

/**
 * Which signed-in tokens still count: a token ended by logout (its `jti` in `revoked_tokens`), a user who has been
 * disabled, or whose tokens were ended (`users.tokens_valid_after`, set when a user is disabled or their rights
 * change) is refused although its signature is good. Several API servers share the app database; each learns of
 * another's logouts and disabled users within `refreshMs` (5 s), and of its own at once.
 */
export class SessionGuard {
  /** Ended token ids → when they would have expired (ms): pruned once expired. */
  private revoked = new Map<string, number>();
  private revokedLoadedAt = 0;
  private lastRevokedAt: Date | null = null;
  private users = new Map<string, { at: number; active: boolean; validAfter: number }>();
  private loading: Promise<void> | null = null;

  constructor(
    private readonly db: AppDb,
    private readonly opts: { refreshMs?: number; now?: () => number } = {},
  ) {}

  private now(): number {
    return this.opts.now?.() ?? Date.now();
  }

  /** Throws AuthError when the token no longer counts. API keys are not sessions (common/api-keys.ts checks them). */
  async check(token: VerifiedToken): Promise<void> {
    await this.refreshRevoked();
    if (token.jti && this.revoked.has(token.jti)) throw new AuthError('Oturum kapatıldı: yeniden giriş yapın (this session was logged out)');
    const user = await this.user(token.context.sub);
    if (!user) throw new AuthError('Kullanıcı artık yok (user no longer exists)');
    if (!user.active) throw new AuthError('Kullanıcı devre dışı bırakıldı (user is disabled)');
    if (token.iatMs < user.validAfter) throw new AuthError('Oturum sona erdi: yeniden giriş yapın (session ended)');
  }

  /** Logout: the token is refused from now on, here at once and on other servers within the refresh interval. */
  async revoke(token: VerifiedToken): Promise<void> {
    if (!token.jti) return;
    const expires = new Date((token.exp ?? Math.floor(this.now() / 1000) + 86400) * 1000);
    await this.db('revoked_tokens')
      .insert({ jti: token.jti, username: token.context.sub, expires_at: expires, revoked_at: new Date(this.now()) })
      .onConflict('jti')
      .ignore();
    this.revoked.set(token.jti, expires.getTime());
    // Tokens that have expired need no entry: they are refused by their signature check anyway.
    await this.db('revoked_tokens').where('expires_at', '<', new Date(this.now())).delete();
  }

  /** Forget what is known of a user (after disabling them or changing their rights through this process). */
  forgetUser(username: string): void {
    this.users.delete(username);
  }

  private async user(username: string) {
    const hit = this.users.get(username);
    if (hit && this.now() - hit.at < (this.opts.refreshMs ?? 5000)) return hit;
    const row = await this.db('users').where({ username }).first('active', 'tokens_valid_after');
    if (!row) {
      this.users.delete(username);
      return null;
    }
    const entry = { at: this.now(), active: Boolean(row.active), validAfter: row.tokens_valid_after ? new Date(row.tokens_valid_after).getTime() : 0 };
    this.users.set(username, entry);
    if (this.users.size > 10_000) this.users.delete(this.users.keys().next().value!);
    return entry;
  }

  private async refreshRevoked(): Promise<void> {
    if (this.now() - this.revokedLoadedAt < (this.opts.refreshMs ?? 5000)) return;
    this.loading ??= (async () => {
      const q = this.db('revoked_tokens').where('expires_at', '>=', new Date(this.now()));
      // A minute of overlap: another server's clock may be a little behind this one's.
      if (this.lastRevokedAt) q.andWhere('revoked_at', '>=', new Date(this.lastRevokedAt.getTime() - 60_000));
      for (const row of await q.select('jti', 'revoked_at', 'expires_at')) {
        this.revoked.set(row.jti, new Date(row.expires_at).getTime());
        const at = new Date(row.revoked_at);
        if (!this.lastRevokedAt || at > this.lastRevokedAt) this.lastRevokedAt = at;
      }
      for (const [jti, exp] of this.revoked) if (exp < this.now()) this.revoked.delete(jti);
      this.revokedLoadedAt = this.now();
    })().finally(() => {
      this.loading = null;
    });
    await this.loading;
  }
}
