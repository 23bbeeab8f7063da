// Who is asking (CONTRACT §6.2): a bearer token of a configured role, matched by its SHA-256 (the token
// itself is never stored); without one, a reader on loopback and nobody elsewhere. Writes need the role
// their request names in shared/api.ts WRITE_ROLES.
import type http from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import { sha256Hex } from '../core/tokens.ts';
import type { Caller, Role } from '../../shared/api.ts';
import type { AccessToken } from '../../shared/config.ts';
import type { Words } from '../../shared/words.ts';

export interface AccessOptions {
  tokens: readonly AccessToken[];
  /** `TAKTBOARD_TOKEN` (or the one printed at start) when serving beyond loopback: a viewer's token. */
  viewerToken?: string;
  /** Bound to loopback: reading needs no token. */
  loopback: boolean;
}

export type Identified = { ok: true; caller: Caller; withToken: boolean } | { ok: false; status: 401; error: Words };

export const ANONYMOUS: Caller = { who: 'anonymous', role: 'viewer' };

/** The token a request carries: `Authorization: Bearer …`, or `?token=` (a WebSocket cannot set headers). */
export function tokenOf(req: http.IncomingMessage, url: URL): string | null {
  const header = req.headers.authorization;
  if (header !== undefined) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    return m ? m[1] : '';
  }
  return url.searchParams.get('token');
}

function sameHex(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && x.length > 0 && timingSafeEqual(x, y);
}

export function identify(token: string | null, o: AccessOptions): Identified {
  if (token === null || token === '') {
    if (token === '') return { ok: false, status: 401, error: { key: 'refusal.bearer_format' } };
    return o.loopback ? { ok: true, caller: ANONYMOUS, withToken: false } : { ok: false, status: 401, error: { key: 'refusal.token_required' } };
  }
  const hash = sha256Hex(token);
  for (const t of o.tokens) if (sameHex(hash, t.sha256)) return { ok: true, caller: { who: t.name, role: t.role as Role }, withToken: true };
  if (o.viewerToken && sameHex(hash, sha256Hex(o.viewerToken))) return { ok: true, caller: { who: 'TAKTBOARD_TOKEN', role: 'viewer' }, withToken: true };
  return { ok: false, status: 401, error: { key: 'refusal.token_unknown' } };
}
