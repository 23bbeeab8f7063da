// The one object the screens talk to. It hides whether we run in the desktop window (preload API
// on `window.taktboard`) or in a browser served by `taktboard serve` (HTTP + WebSocket).
import {
  DATE_RE,
  EVENT_NAMES,
  REQUEST_NAMES,
  type DesktopApi,
  type DesktopRequestArgs,
  type DesktopSettings,
  type RequestName,
  type SaveSettingsResult,
  type TaktboardApi,
  type TlsFilePurpose,
} from '../../../shared/api.ts';
import { createEventHub, type EventHub } from './eventHub.ts';
import { exportUrl, healthUrl, tokenFromPage, type ExportKind } from './urls.ts';
import { openEventSocket, postRpc, RequestError, type SocketStatus } from './webTransport.ts';
import { attachmentName, createSessionAuth, createTokenStore, type SessionAuth, type StorageLike } from './session.ts';
import type { Words } from '../../../shared/words.ts';

/** 'down' means the app itself (not the broker) cannot be reached. */
export type TransportStatus = SocketStatus;

export type ExportOutcome = { kind: 'saved'; path: string } | { kind: 'cancelled' } | { kind: 'download' };

export interface SettingsApi {
  getSettings(): Promise<DesktopSettings>;
  saveSettings(args: DesktopRequestArgs<'saveSettings'>): Promise<SaveSettingsResult>;
  /** The desktop's open dialog for a TLS file of the broker: the chosen path, or null when cancelled. */
  pickFile(purpose: TlsFilePurpose): Promise<string | null>;
  /** The running configuration (without access tokens) written where the save dialog says. */
  exportConfigFile(): Promise<ExportOutcome>;
  /** A configuration file chosen in the open dialog, its name and text; null when cancelled. */
  importConfigFile(): Promise<{ name: string; text: string } | null>;
}

export type TaktboardClient = TaktboardApi & {
  readonly kind: 'desktop' | 'web';
  /** Present only where the configuration can be edited (the desktop window). */
  readonly settings: SettingsApi | null;
  exportDaily(date: string): Promise<ExportOutcome>;
  /** The stops CSV of a date (CONTRACT §4.1): the desktop's save dialog, or a download in the browser. */
  exportStops(date: string): Promise<ExportOutcome>;
  /** The browser's sign-in for writes (a token kept for the session); null in the desktop window, which acts as supervisor. */
  readonly auth: SessionAuth | null;
  transportStatus(): TransportStatus;
  onTransport(listener: (status: TransportStatus) => void): () => void;
};

declare global {
  interface Window {
    taktboard?: DesktopApi;
  }
}

type RequestMethods = Pick<TaktboardApi, RequestName>;

function requestMethods(call: (name: RequestName, args: unknown) => Promise<unknown>): RequestMethods {
  return Object.fromEntries(REQUEST_NAMES.map((name) => [name, (args: unknown) => call(name, args)])) as unknown as RequestMethods;
}

/** Pushed events only arrive on change; asking once fills the screens straight away. */
function seedLiveSnapshot(api: RequestMethods, hub: EventHub): void {
  api.live({}).then(
    (snapshot) => {
      if (!hub.latest('live')) hub.emit('live', snapshot);
      if (!hub.latest('connection')) hub.emit('connection', snapshot.broker);
    },
    () => {
      // The socket status already tells the user when the app is unreachable.
    },
  );
}

/**
 * The preload rejects a refused call with plain data `{message, words}` (an Error crossing the context bridge
 * keeps only its message): every call made here rejects with a RequestError carrying both instead.
 */
function withRequestErrors(api: DesktopApi): DesktopApi {
  const toError = (err: unknown): unknown => {
    if (err instanceof Error || typeof err !== 'object' || err === null) return err;
    const { message, words } = err as { message?: unknown; words?: unknown };
    if (typeof message !== 'string') return err;
    return new RequestError(message, 0, typeof words === 'object' && words !== null ? (words as Words) : null);
  };
  const wrapped: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(api)) {
    wrapped[name] =
      typeof value === 'function' && name !== 'on'
        ? (...args: unknown[]) =>
            Promise.resolve((value as (...a: unknown[]) => Promise<unknown>)(...args)).catch((err: unknown) => {
              throw toError(err);
            })
        : value;
  }
  return wrapped as unknown as DesktopApi;
}

export function createDesktopClient(bridge: DesktopApi): TaktboardClient {
  const desktop = withRequestErrors(bridge);
  const hub = createEventHub();
  for (const event of EVENT_NAMES) desktop.on(event, (payload) => hub.emit(event, payload));
  const api = requestMethods((name, args) => (desktop[name] as (a: unknown) => Promise<unknown>)(args));
  seedLiveSnapshot(api, hub);
  const settings: SettingsApi | null =
    typeof desktop.getSettings === 'function' && typeof desktop.saveSettings === 'function'
      ? {
          getSettings: () => desktop.getSettings({}),
          saveSettings: (args) => desktop.saveSettings(args),
          pickFile: async (purpose) => (await desktop.pickFile({ purpose }))?.path ?? null,
          async exportConfigFile() {
            const { savedTo } = await desktop.exportConfigFile({});
            return savedTo === null ? { kind: 'cancelled' } : { kind: 'saved', path: savedTo };
          },
          importConfigFile: () => desktop.importConfigFile({}),
        }
      : null;
  return {
    ...api,
    kind: 'desktop',
    settings,
    on: hub.on,
    async exportDaily(date) {
      const { savedTo } = await desktop.saveDailyCsv({ date });
      return savedTo === null ? { kind: 'cancelled' } : { kind: 'saved', path: savedTo };
    },
    async exportStops(date) {
      const { savedTo } = await desktop.saveStopsCsv({ date });
      return savedTo === null ? { kind: 'cancelled' } : { kind: 'saved', path: savedTo };
    },
    auth: null,
    // The preload is in-process: there is no link to the app that could drop.
    transportStatus: () => 'open',
    onTransport: () => () => {},
  };
}

function sessionStorageOrNull(): StorageLike | null {
  try {
    return window.sessionStorage;
  } catch {
    return null;
  }
}

function clickDownload(href: string, fileName: string): void {
  const anchor = document.createElement('a');
  anchor.href = href;
  anchor.download = fileName;
  anchor.rel = 'noopener';
  document.body.append(anchor);
  anchor.click();
  anchor.remove();
}

export function createWebClient(pageHref: string): TaktboardClient {
  const hub = createEventHub();
  // Signed in: that token on every request and on the socket; else the page's own `?token=`, if any.
  const pageToken = tokenFromPage(pageHref);
  const tokens = createTokenStore(sessionStorageOrNull());
  const auth = createSessionAuth(tokens, healthUrl(pageHref));
  const socket = openEventSocket(pageHref, hub, () => tokens.get() ?? pageToken);
  const call = async (name: RequestName, args: unknown): Promise<unknown> => {
    const signedIn = tokens.get();
    try {
      return await postRpc(pageHref, name, args, signedIn ?? pageToken);
    } catch (err) {
      // A 401 with a token means it is no longer recognised (taken out of access.tokens): forget it, so the
      // screens read again without it, and a write asks for a token anew.
      if (signedIn === null || !(err instanceof RequestError) || err.status !== 401 || tokens.get() !== signedIn) throw err;
      tokens.clear();
      return postRpc(pageHref, name, args, pageToken);
    }
  };
  const api = requestMethods(call);
  seedLiveSnapshot(api, hub);
  /** The same bytes as `GET /api/export/<kind>.csv`; a signed-in token goes in a header, never into a link. */
  const download = async (kind: ExportKind, date: string): Promise<ExportOutcome> => {
    if (!DATE_RE.test(date)) throw new Error(`not a date: ${date}`);
    const fallbackName = `taktboard-${kind}-${date}.csv`;
    const signedIn = tokens.get();
    if (signedIn === null) {
      clickDownload(exportUrl(pageHref, date, pageToken, kind), fallbackName);
      return { kind: 'download' };
    }
    let response: Response;
    try {
      response = await fetch(exportUrl(pageHref, date, null, kind), { headers: { Authorization: `Bearer ${signedIn}` }, cache: 'no-store' });
    } catch {
      throw new RequestError('the app server does not answer', 0, { key: 'refusal.server_unreachable' });
    }
    if (!response.ok) {
      const body = (await response.json().catch(() => null)) as { error?: unknown; words?: unknown } | null;
      const words = body && typeof body.words === 'object' && body.words !== null ? (body.words as Words) : null;
      throw new RequestError(typeof body?.error === 'string' ? body.error : `HTTP ${response.status}`, response.status, words);
    }
    const href = URL.createObjectURL(await response.blob());
    clickDownload(href, attachmentName(response.headers.get('Content-Disposition'), fallbackName));
    setTimeout(() => URL.revokeObjectURL(href), 60_000);
    return { kind: 'download' };
  };
  return {
    ...api,
    kind: 'web',
    settings: null,
    on: hub.on,
    exportDaily: (date) => download('daily', date),
    exportStops: (date) => download('stops', date),
    auth,
    transportStatus: socket.status,
    onTransport: socket.onStatus,
  };
}

export function createClient(): TaktboardClient {
  const desktop = window.taktboard;
  return desktop ? createDesktopClient(desktop) : createWebClient(window.location.href);
}
