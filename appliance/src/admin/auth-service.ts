/**
 * Sign-in, sessions and lock-out. Sessions live in the database (so a restart keeps people logged
 * in and a logout is immediate); the cookie holds a random token whose hash is the key.
 */
import type { Language, Role } from '../db/schema.js';
import type { AuditStore } from './audit-store.js';
import type { Crypto } from './crypto.js';
import { AppError } from './errors.js';
import { hasSoftphone, permissionsOf, type Permission } from './roles.js';
import type { UserStore } from './users-store.js';

export interface SessionUser {
  id: number;
  username: string;
  displayName: string;
  role: Role;
  permissions: readonly Permission[];
  language: Language;
}

export interface Session {
  tokenHash: string;
  csrfToken: string;
  user: SessionUser;
}

export interface AuthSettings {
  sessionTtlHours: number;
  maxFailedLogins: number;
  lockoutMinutes: number;
}

export interface ClientInfo {
  ip: string | null;
  userAgent: string | null;
}

export class AuthService {
  /** A real hash for unknown users, so a wrong name costs as much time as a wrong password. */
  private dummyHash: Promise<string> | null = null;

  constructor(
    private readonly users: UserStore,
    private readonly audit: AuditStore,
    private readonly crypto: Crypto,
    private readonly settings: AuthSettings,
    private readonly now: () => Date,
  ) {}

  async login(
    username: string,
    password: string,
    client: ClientInfo,
  ): Promise<{ token: string; session: Session; expiresAt: Date }> {
    const now = this.now();
    const user = await this.users.byUsername(username);
    if (!user || user.enabled !== 1) {
      this.dummyHash ??= this.crypto.hashPassword(this.crypto.randomToken());
      await this.crypto.verifyPassword(await this.dummyHash, password);
      await this.audit.record({
        userId: null,
        username,
        action: 'auth.login_failed',
        details: { reason: user ? 'disabled' : 'unknown_user' },
        ip: client.ip,
      });
      throw invalidCredentials();
    }
    if (user.locked_until && Date.parse(user.locked_until) > now.getTime()) {
      throw locked(user.locked_until, now);
    }
    if (!(await this.crypto.verifyPassword(user.password_hash, password))) {
      const failures = await this.users.incrementFailures(user.id, now.toISOString());
      const lock = failures >= this.settings.maxFailedLogins;
      const lockedUntil = lock
        ? new Date(now.getTime() + this.settings.lockoutMinutes * 60_000).toISOString()
        : null;
      if (lockedUntil) await this.users.recordFailure(user.id, 0, lockedUntil, now.toISOString());
      await this.audit.record({
        userId: user.id,
        username,
        action: lock ? 'auth.locked' : 'auth.login_failed',
        details: { failures },
        ip: client.ip,
      });
      if (lockedUntil) throw locked(lockedUntil, now);
      throw invalidCredentials();
    }
    if (user.failed_logins > 0 || user.locked_until) {
      await this.users.clearFailures(user.id, now.toISOString());
    }
    const token = this.crypto.randomToken();
    const tokenHash = this.crypto.sha256(token);
    const csrfToken = this.crypto.randomToken(24);
    const expiresAt = new Date(now.getTime() + this.settings.sessionTtlHours * 3_600_000);
    await this.users.insertSession({
      token_hash: tokenHash,
      user_id: user.id,
      csrf_token: csrfToken,
      created_at: now.toISOString(),
      expires_at: expiresAt.toISOString(),
      last_seen_at: now.toISOString(),
      ip: client.ip,
      user_agent: client.userAgent?.slice(0, 300) ?? null,
    });
    await this.audit.record({ userId: user.id, username, action: 'auth.login', ip: client.ip });
    return {
      token,
      expiresAt,
      session: {
        tokenHash,
        csrfToken,
        user: {
          id: user.id,
          username: user.username,
          displayName: user.display_name,
          role: user.role,
          permissions: permissionsOf(user.role),
          language: user.language,
        },
      },
    };
  }

  /** The session a cookie token stands for, or null when unknown, expired or disabled. */
  async resolve(token: string | undefined): Promise<Session | null> {
    if (!token || token.length > 200) return null;
    return this.resolveByHash(this.crypto.sha256(token));
  }

  async resolveByHash(hash: string): Promise<Session | null> {
    const row = await this.users.sessionByHash(hash);
    const now = this.now();
    if (!row || row.enabled !== 1 || Date.parse(row.expires_at) <= now.getTime()) return null;
    // Write last-seen at most once a minute: reads should not turn into writes.
    if (now.getTime() - Date.parse(row.last_seen_at) > 60_000) {
      await this.users.touchSession(hash, now.toISOString());
    }
    return {
      tokenHash: hash,
      csrfToken: row.csrf_token,
      user: {
        id: row.user_id,
        username: row.username,
        displayName: row.display_name,
        role: row.role,
        permissions: permissionsOf(row.role),
        language: row.language,
      },
    };
  }

  async logout(session: Session, client: ClientInfo): Promise<void> {
    await this.users.deleteSession(session.tokenHash);
    await this.audit.record({
      userId: session.user.id,
      username: session.user.username,
      action: 'auth.logout',
      ip: client.ip,
    });
  }

  async createUser(input: {
    username: string;
    displayName: string;
    password: string;
    role: Role;
    language: Language;
    /** Languages spoken (queue membership); every operator speaks Kazakh. */
    languages?: Array<'kk' | 'ru'>;
    phoneType?: 'webrtc' | 'sip';
  }): Promise<number> {
    const at = this.now().toISOString();
    return this.users.insert({
      username: input.username,
      display_name: input.displayName,
      password_hash: await this.crypto.hashPassword(input.password),
      role: input.role,
      language: input.language,
      languages: JSON.stringify(input.languages ?? ['kk', 'ru']),
      phone_type: input.phoneType ?? 'webrtc',
      sip_secret: hasSoftphone(input.role) ? this.crypto.randomToken(18) : null,
      created_at: at,
      updated_at: at,
    });
  }

  /**
   * First start: creates the administrator. Returns the password when it was generated, so the
   * caller can show it once; returns null when users already exist or the password was given.
   */
  async bootstrapAdmin(
    givenPassword: string,
  ): Promise<{ created: boolean; generated: string | null }> {
    if ((await this.users.count()) > 0) return { created: false, generated: null };
    const generated = givenPassword ? null : this.crypto.randomToken(12);
    await this.createUser({
      username: 'admin',
      displayName: 'Administrator',
      password: givenPassword || generated!,
      role: 'administrator',
      language: 'ru',
    });
    await this.audit.record({
      userId: null,
      username: 'system',
      action: 'user.created',
      target: 'admin',
    });
    return { created: true, generated };
  }
}

function invalidCredentials(): AppError {
  return new AppError(401, 'invalid_credentials', 'Wrong username or password');
}

function locked(until: string, now: Date): AppError {
  const retryAfterSeconds = Math.max(1, Math.ceil((Date.parse(until) - now.getTime()) / 1000));
  return new AppError(
    429,
    'locked',
    `Too many failed sign-ins: the account is locked for ${Math.ceil(retryAfterSeconds / 60)} min`,
    { retryAfterSeconds, lockedUntil: until },
  );
}
