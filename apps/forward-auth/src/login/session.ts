import secureSession from '@fastify/secure-session';
import type { Service } from '@gateway-pattern/service-kit';
import type { FastifyRequest } from 'fastify';

/** The signed-in user a session cookie carries. */
export interface SessionUser {
  sub: string;
  email?: string;
  name?: string;
  roles: string[];
  /** When the session ends, in seconds since the epoch. */
  exp: number;
  /** Kept for the provider's logout (`id_token_hint`). */
  idToken?: string;
}

/** A login started by `/oauth2/start` and not yet called back. */
export interface PendingLogin {
  state: string;
  nonce: string;
  codeVerifier: string;
  /** Checked return address. */
  returnTo: string;
  /** Seconds since the epoch after which the callback is refused. */
  exp: number;
}

declare module '@fastify/secure-session' {
  interface SessionData {
    user: SessionUser;
    pending: PendingLogin[];
  }
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The login-flow cookie's content; `request.session` holds the signed-in user. */
    loginFlow: import('@fastify/secure-session').Session;
  }
}

/** Name of the session cookie (Path=/, so `/auth` sees it on every request to the gateway's origin). */
export const SESSION_COOKIE = '_forward_auth';
/** Name of the short-lived cookie that carries state, nonce and PKCE verifier between start and callback. */
export const LOGIN_COOKIE = '_forward_auth_login';
/** How long a started login may take, in seconds. */
export const LOGIN_TTL_SECONDS = 600;
/** Logins one browser may have in flight at once (tabs); the oldest is dropped beyond it. */
const MAX_PENDING_LOGINS = 5;

/** What {@link registerSessions} needs. */
export interface SessionOptions {
  /** 32-byte keys; the first encrypts, all decrypt (rotation). */
  keys: readonly Buffer[];
  /** Mark cookies `Secure` (the public URL is https). */
  secure: boolean;
  /** Lifetime of a session, in seconds. */
  maxAgeSeconds: number;
}

const nowSeconds = (): number => Math.floor(Date.now() / 1000);

/**
 * Registers the two encrypted cookies (XSalsa20-Poly1305 via @fastify/secure-session): the session, and the login
 * flow, both HttpOnly and SameSite=Lax, which still sends them on the provider's top-level redirect back to the
 * callback but not on cross-site subrequests.
 */
export function registerSessions(app: Service, options: SessionOptions): void {
  const key = [...options.keys];
  const cookie = { httpOnly: true, sameSite: 'lax' as const, secure: options.secure };
  app.register(secureSession, [
    {
      sessionName: 'session',
      cookieName: SESSION_COOKIE,
      key,
      expiry: options.maxAgeSeconds,
      cookie: { ...cookie, path: '/', maxAge: options.maxAgeSeconds },
    },
    {
      sessionName: 'loginFlow',
      cookieName: LOGIN_COOKIE,
      key,
      expiry: LOGIN_TTL_SECONDS,
      cookie: { ...cookie, path: '/oauth2/', maxAge: LOGIN_TTL_SECONDS },
    },
  ]);
}

/** The signed-in user of this request, or `null` without a session or once it has expired. */
export function currentUser(request: FastifyRequest): SessionUser | null {
  const user = request.session?.get('user');
  if (user === undefined || typeof user.exp !== 'number' || user.exp <= nowSeconds()) return null;
  return user;
}

/** Replaces whatever the session held with this user, so no earlier content survives a login. */
export function startSession(
  request: FastifyRequest,
  user: Omit<SessionUser, 'exp'>,
  maxAgeSeconds: number,
): void {
  request.session.regenerate();
  request.session.set('user', { ...user, exp: nowSeconds() + maxAgeSeconds });
}

/** Clears the session cookie. */
export function endSession(request: FastifyRequest): void {
  request.session.delete();
}

function pendingLogins(request: FastifyRequest): PendingLogin[] {
  const now = nowSeconds();
  return (request.loginFlow.get('pending') ?? []).filter((login) => login.exp > now);
}

/** Remembers a started login in the flow cookie, next to others still pending (one per tab). */
export function addPendingLogin(request: FastifyRequest, login: Omit<PendingLogin, 'exp'>): void {
  const pending = [...pendingLogins(request), { ...login, exp: nowSeconds() + LOGIN_TTL_SECONDS }];
  request.loginFlow.set('pending', pending.slice(-MAX_PENDING_LOGINS));
}

/**
 * The pending login this `state` belongs to, removed so it cannot be used twice, or `null`: a state this browser
 * never received from `/oauth2/start` (forged, replayed, expired, or the cookie is missing).
 */
export function takePendingLogin(request: FastifyRequest, state: string): PendingLogin | null {
  const pending = pendingLogins(request);
  const found = pending.find((login) => login.state === state) ?? null;
  if (found === null) return null;
  const rest = pending.filter((login) => login !== found);
  if (rest.length === 0) request.loginFlow.delete();
  else request.loginFlow.set('pending', rest);
  return found;
}
