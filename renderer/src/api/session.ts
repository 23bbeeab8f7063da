// The browser's sign-in (CONTRACT §6.2): an operator's or supervisor's token, kept for this browser session
// only (sessionStorage: closing the tab forgets it, never localStorage or a cookie), sent as
// `Authorization: Bearer` on every request and as `?token=` on the event socket (which cannot set headers).
// A token from the page's own `?token=` (a wall display's link) is used while nobody has signed in.

/** The part of Storage used here, so tests pass a Map-backed one. */
export interface StorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export const TOKEN_STORAGE_KEY = 'taktboard.token';
/** Tokens are opaque; a longer one is not a token but a paste gone wrong. */
export const MAX_TOKEN_LENGTH = 512;

export interface TokenStore {
  /** The signed-in token, or null. */
  get(): string | null;
  /** Stores a token (trimmed); an empty one signs out. */
  set(token: string): void;
  clear(): void;
  onChange(listener: () => void): () => void;
}

/**
 * A copy is kept in memory too: a browser that refuses storage (a private window's quota, a policy) still
 * keeps the token until the page is closed, which is no longer than the session anyway.
 */
export function createTokenStore(storage: StorageLike | null): TokenStore {
  const read = (): string | null => {
    try {
      const value = storage?.getItem(TOKEN_STORAGE_KEY) ?? null;
      return value && value.trim() ? value.trim() : null;
    } catch {
      return null;
    }
  };
  let current = read();
  const listeners = new Set<() => void>();
  const change = (next: string | null) => {
    if (next === current) return;
    current = next;
    try {
      if (next === null) storage?.removeItem(TOKEN_STORAGE_KEY);
      else storage?.setItem(TOKEN_STORAGE_KEY, next);
    } catch {
      // Storage refused: the memory copy serves this page.
    }
    for (const l of [...listeners]) l();
  };
  return {
    get: () => current,
    set: (token) => change(token.trim() ? token.trim() : null),
    clear: () => change(null),
    onChange(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
  };
}

/** The token a request carries: the signed-in one, else the page's own, else none. */
export function activeToken(store: Pick<TokenStore, 'get'>, pageToken: string | null): string | null {
  return store.get() ?? pageToken;
}

export type SignInResult = { ok: true } | { ok: false; reason: 'empty' | 'too_long' | 'not_recognised' | 'unreachable'; status?: number };

/**
 * Checks a token with a read before keeping it: an unknown token is refused even for reads (401), so a
 * mistyped one would otherwise break every screen. Its role is only known when a write is tried.
 */
export async function checkToken(healthUrl: string, token: string, fetchImpl: typeof fetch = fetch): Promise<SignInResult> {
  const candidate = token.trim();
  if (!candidate) return { ok: false, reason: 'empty' };
  if (candidate.length > MAX_TOKEN_LENGTH || /\s/.test(candidate)) return { ok: false, reason: candidate.length > MAX_TOKEN_LENGTH ? 'too_long' : 'not_recognised' };
  let response: Response;
  try {
    response = await fetchImpl(healthUrl, { headers: { Accept: 'application/json', Authorization: `Bearer ${candidate}` }, cache: 'no-store' });
  } catch {
    return { ok: false, reason: 'unreachable' };
  }
  if (response.status === 401) return { ok: false, reason: 'not_recognised', status: 401 };
  if (!response.ok) return { ok: false, reason: 'unreachable', status: response.status };
  return { ok: true };
}

/** The browser client's sign-in, as the screens see it; the desktop window has none (it acts as supervisor). */
export interface SessionAuth {
  signedIn(): boolean;
  signIn(token: string): Promise<SignInResult>;
  signOut(): void;
  onChange(listener: () => void): () => void;
}

export function createSessionAuth(store: TokenStore, healthUrl: string, fetchImpl?: typeof fetch): SessionAuth {
  return {
    signedIn: () => store.get() !== null,
    async signIn(token) {
      const result = await checkToken(healthUrl, token, fetchImpl);
      if (result.ok) store.set(token);
      return result;
    },
    signOut: () => store.clear(),
    onChange: store.onChange,
  };
}

/** The filename a `Content-Disposition: attachment; filename="…"` names, or the fallback. */
export function attachmentName(header: string | null, fallback: string): string {
  const m = header ? /filename="([^"/\\]+)"/i.exec(header) : null;
  return m ? m[1] : fallback;
}
