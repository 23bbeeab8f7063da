// The browser transport for `taktboard serve`: requests over HTTP, events over one WebSocket that
// comes back by itself after the server restarts or the network drops.
import { EVENT_NAMES, type EventName, type Events } from '../../../shared/api.ts';
import type { Words } from '../../../shared/words.ts';
import type { EventHub } from './eventHub.ts';
import { eventsUrl, reconnectDelayMs, requestHeaders, rpcUrl, tokenFromPage } from './urls.ts';

export type SocketStatus = 'connecting' | 'open' | 'down';

/** A refused or failed request: the English `message`, and its `words` for the screens to translate (or null). */
export class RequestError extends Error {
  readonly status: number;
  readonly words: Words | null;
  constructor(message: string, status: number, words: Words | null = null) {
    super(message);
    this.name = 'RequestError';
    this.status = status;
    this.words = words;
  }
}

/** The words of an error for the screens: a RequestError's own, else none (the message is shown as it is). */
export function wordsOfError(err: unknown): Words | null {
  return err instanceof RequestError ? err.words : null;
}

/** `token`: the one to send as `Authorization: Bearer` (the signed-in one, else the page's own). */
export async function postRpc(pageHref: string, name: string, args: unknown, token: string | null = tokenFromPage(pageHref)): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(rpcUrl(pageHref, name), {
      method: 'POST',
      headers: requestHeaders(token),
      body: JSON.stringify(args ?? {}),
      cache: 'no-store',
    });
  } catch {
    throw new RequestError('the app server does not answer', 0, { key: 'refusal.server_unreachable' });
  }
  const body: unknown = await response.json().catch(() => null);
  if (!response.ok) {
    // CONTRACT §6: {"error": "<English>", "words": {...}}; the words are checked where they are shown.
    if (isRecord(body) && typeof body.error === 'string') throw new RequestError(body.error, response.status, isRecord(body.words) ? (body.words as unknown as Words) : null);
    throw new RequestError(`HTTP ${response.status}`, response.status, { key: 'refusal.http', params: { status: response.status } });
  }
  return body;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Only well-formed frames reach the screens; anything else is dropped rather than crashing a render. */
export function parseEventFrame(data: unknown): { event: EventName; payload: Events[EventName] } | null {
  if (typeof data !== 'string') return null;
  let frame: unknown;
  try {
    frame = JSON.parse(data);
  } catch {
    return null;
  }
  if (!isRecord(frame) || !(EVENT_NAMES as unknown[]).includes(frame.event) || !isRecord(frame.payload)) return null;
  return { event: frame.event as EventName, payload: frame.payload as unknown as Events[EventName] };
}

export interface EventSocket {
  status(): SocketStatus;
  onStatus(listener: (status: SocketStatus) => void): () => void;
}

/** `token` is asked at every (re)connect, so a sign-in or sign-out applies from the next connection on. */
export function openEventSocket(pageHref: string, hub: EventHub, token: () => string | null = () => tokenFromPage(pageHref)): EventSocket {
  let status: SocketStatus = 'connecting';
  let attempt = 0;
  const statusListeners = new Set<(s: SocketStatus) => void>();
  const setStatus = (next: SocketStatus) => {
    if (next === status) return;
    status = next;
    for (const l of [...statusListeners]) l(status);
  };

  const connect = () => {
    let socket: WebSocket;
    try {
      socket = new WebSocket(eventsUrl(pageHref, token()));
    } catch {
      retry();
      return;
    }
    socket.onopen = () => {
      attempt = 0;
      setStatus('open');
    };
    socket.onmessage = (message) => {
      const frame = parseEventFrame(message.data);
      if (frame) hub.emit(frame.event, frame.payload);
    };
    // `error` is always followed by `close`, so reconnecting from `close` alone avoids doubling up.
    socket.onclose = () => {
      socket.onopen = socket.onmessage = socket.onclose = null;
      retry();
    };
  };

  const retry = () => {
    setStatus('down');
    const delay = reconnectDelayMs(attempt++);
    setTimeout(connect, delay);
  };

  connect();
  return {
    status: () => status,
    onStatus(listener) {
      statusListeners.add(listener);
      return () => {
        statusListeners.delete(listener);
      };
    },
  };
}
