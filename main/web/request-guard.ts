// Cross-site refusal for the browser shell (CONTRACT §6.2, RELIABILITY row 33). Pure: the server hands
// in the request's Host and Origin headers and what it knows about itself, and gets allow or a reason.
//
// - Host (DNS rebinding): a page of evil.example whose name is re-pointed at 127.0.0.1 reaches this
//   server with `Host: evil.example`. Only names of this machine (its interface addresses, its host
//   name, localhost, the loopback addresses, the bound address) and names given with
//   `serve --allowed-host NAME` are served. The Host's port is not compared: a reverse proxy may map it.
// - Origin (cross-site requests): a browser sends the page's origin on every WebSocket upgrade and on
//   cross-origin or non-GET requests. It must be the page's own origin, `http://<allowed name>:<our
//   port>` (without the port when that is 80), or an origin given with `--allowed-host` (for a TLS
//   reverse proxy in front). `Origin: null` (sandboxed frames, file://, some redirects) is foreign.
//   No Origin at all is what curl, scripts and the CLI send: allowed.
import os from 'node:os';

export type RefusalReason = 'foreign-origin' | 'foreign-host' | 'missing-host';

export type GuardResult = { ok: true } | { ok: false; reason: RefusalReason; detail: string };

export interface GuardContext {
  /** The port the server listens on. */
  port: number;
  /** Lower-case host names and IP literals (IPv6 in brackets) that name this machine. */
  machineNames: ReadonlySet<string>;
  /** Lower-case names given with `--allowed-host`. */
  allowedNames: ReadonlySet<string>;
  /** Exact serialized origins given with `--allowed-host https://name[:port]`. */
  allowedOrigins: ReadonlySet<string>;
}

export interface GuardRequest {
  host: string | undefined;
  origin: string | undefined;
  /** `1.0` requests may leave Host out; `1.1` must send it (RFC 9112 §3.2). */
  httpVersion?: string;
}

const HOST_RE = /^(?:\[[0-9A-Fa-f:.]+(?:%25[A-Za-z0-9._~-]+)?\]|[A-Za-z0-9._-]+)(?::\d{1,5})?$/;

/**
 * The normalized host name of a Host header value (`name`, `name:port`, `[v6]:port`): lower case,
 * without a trailing dot, IP literals in the form a browser would send. Null for anything else
 * (userinfo, paths, spaces, an empty value).
 */
export function hostnameOf(hostHeader: string): string | null {
  const v = hostHeader.trim();
  if (!HOST_RE.test(v)) return null;
  try {
    return normalizeName(new URL(`http://${v}`).hostname);
  } catch {
    return null;
  }
}

function normalizeName(name: string): string {
  return name.toLowerCase().replace(/\.$/, '');
}

/** An IP address or name as it appears in a URL's host: IPv6 in brackets, lower case. */
export function asUrlHost(address: string): string {
  const a = address.replace(/%.*$/, '');
  return normalizeName(a.includes(':') && !a.startsWith('[') ? `[${a}]` : a);
}

export function checkRequest(req: GuardRequest, ctx: GuardContext): GuardResult {
  const allowedName = (name: string) => ctx.machineNames.has(name) || ctx.allowedNames.has(name);
  if (req.host === undefined || req.host.trim() === '') {
    if (req.httpVersion === '1.0') return checkOrigin(req.origin, ctx, allowedName);
    return { ok: false, reason: 'missing-host', detail: 'no Host header' };
  }
  const name = hostnameOf(req.host);
  if (name === null) return { ok: false, reason: 'foreign-host', detail: 'malformed Host header' };
  if (!allowedName(name)) return { ok: false, reason: 'foreign-host', detail: `Host "${name}" is not this machine nor an --allowed-host` };
  return checkOrigin(req.origin, ctx, allowedName);
}

function checkOrigin(origin: string | undefined, ctx: GuardContext, allowedName: (n: string) => boolean): GuardResult {
  if (origin === undefined) return { ok: true };
  const v = origin.trim();
  if (v.toLowerCase() === 'null') return { ok: false, reason: 'foreign-origin', detail: 'Origin "null"' };
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    return { ok: false, reason: 'foreign-origin', detail: 'malformed Origin header' };
  }
  // A browser sends the serialized origin: scheme://host[:port], nothing more.
  if (u.origin !== v.toLowerCase() || u.username || u.password) return { ok: false, reason: 'foreign-origin', detail: 'malformed Origin header' };
  if (ctx.allowedOrigins.has(u.origin)) return { ok: true };
  const port = u.port === '' ? (u.protocol === 'https:' ? 443 : 80) : Number(u.port);
  if (u.protocol === 'http:' && port === ctx.port && allowedName(normalizeName(u.hostname))) return { ok: true };
  return { ok: false, reason: 'foreign-origin', detail: `Origin "${u.origin}" is not this server's own` };
}

/** The names of this machine: interface addresses, the host name, localhost, loopback, the bound address. */
export function machineNamesOf(opts: {
  boundHost: string;
  interfaces?: NodeJS.Dict<os.NetworkInterfaceInfo[]>;
  hostname?: string;
}): Set<string> {
  const names = new Set<string>(['localhost', '127.0.0.1', '[::1]']);
  const add = (n: string | undefined) => {
    if (n && n !== '0.0.0.0' && n !== '::' && n !== '[::]') names.add(asUrlHost(n));
  };
  add(opts.boundHost);
  add(opts.hostname ?? os.hostname());
  for (const list of Object.values(opts.interfaces ?? os.networkInterfaces())) for (const i of list ?? []) add(i.address);
  return names;
}

export interface AllowedHosts {
  names: string[];
  origins: string[];
}

/**
 * `--allowed-host` values, each a name (`plant-pc.local`), or an origin (`https://taktboard.plant.example`)
 * for a reverse proxy in front; several may be given comma-separated. Throws with a message for a bad one.
 */
export function parseAllowedHosts(values: readonly string[]): AllowedHosts {
  const names = new Set<string>();
  const origins = new Set<string>();
  for (const raw of values.flatMap((v) => v.split(','))) {
    const v = raw.trim();
    if (!v) continue;
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(v)) {
      let u: URL;
      try {
        u = new URL(v);
      } catch {
        throw new Error(`--allowed-host: "${v}" is not a valid origin`);
      }
      if ((u.protocol !== 'http:' && u.protocol !== 'https:') || u.username || u.password || (u.pathname !== '/' && u.pathname !== '') || u.search || u.hash) {
        throw new Error(`--allowed-host: "${v}" must be a host name or an origin like https://name[:port]`);
      }
      origins.add(u.origin);
      names.add(normalizeName(u.hostname));
      continue;
    }
    const name = hostnameOf(v);
    if (name === null || /:\d+$/.test(v.replace(/^\[.*\]/, ''))) throw new Error(`--allowed-host: "${v}" must be a host name (no port, no path)`);
    names.add(name);
  }
  return { names: [...names], origins: [...origins] };
}
