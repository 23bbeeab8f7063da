// The browser's sign-in for writes (renderer/src/api/session.ts, urls.ts): the token is kept for the session
// only, checked before it is kept, sent on every request and on the event socket, never put into a link.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { activeToken, attachmentName, checkToken, createSessionAuth, createTokenStore, TOKEN_STORAGE_KEY, type StorageLike } from '../../renderer/src/api/session.ts';
import { eventsUrl, exportUrl, healthUrl, requestHeaders } from '../../renderer/src/api/urls.ts';
import { postRpc } from '../../renderer/src/api/webTransport.ts';

function memoryStorage(initial: Record<string, string> = {}): StorageLike & { data: Map<string, string> } {
  const data = new Map(Object.entries(initial));
  return {
    data,
    getItem: (k) => data.get(k) ?? null,
    setItem: (k, v) => void data.set(k, v),
    removeItem: (k) => void data.delete(k),
  };
}

describe('the token store', () => {
  it('keeps the token in the session storage it is given, trimmed, and forgets it on sign-out', () => {
    const storage = memoryStorage();
    const store = createTokenStore(storage);
    expect(store.get()).toBeNull();
    store.set('  op-secret \n');
    expect(store.get()).toBe('op-secret');
    expect(storage.data.get(TOKEN_STORAGE_KEY)).toBe('op-secret');
    store.clear();
    expect(store.get()).toBeNull();
    expect(storage.data.has(TOKEN_STORAGE_KEY)).toBe(false);
  });

  it('picks up a token kept earlier in the same session (a reload), and an empty one is none', () => {
    expect(createTokenStore(memoryStorage({ [TOKEN_STORAGE_KEY]: 'kept' })).get()).toBe('kept');
    expect(createTokenStore(memoryStorage({ [TOKEN_STORAGE_KEY]: '  ' })).get()).toBeNull();
    const store = createTokenStore(memoryStorage());
    store.set('   ');
    expect(store.get()).toBeNull();
  });

  it('tells its listeners when the token changes, and only then', () => {
    const store = createTokenStore(memoryStorage());
    const seen: (string | null)[] = [];
    const off = store.onChange(() => seen.push(store.get()));
    store.set('a');
    store.set('a');
    store.clear();
    off();
    store.set('b');
    expect(seen).toEqual(['a', null]);
  });

  it('still works for the page when the browser refuses storage (a private window, a policy)', () => {
    const refusing: StorageLike = {
      getItem: () => {
        throw new Error('SecurityError');
      },
      setItem: () => {
        throw new Error('QuotaExceededError');
      },
      removeItem: () => {
        throw new Error('SecurityError');
      },
    };
    const store = createTokenStore(refusing);
    store.set('t');
    expect(store.get()).toBe('t');
    store.clear();
    expect(store.get()).toBeNull();
    expect(createTokenStore(null).get()).toBeNull();
  });

  it('the signed-in token wins over the page\'s own ?token=, which serves while nobody is signed in', () => {
    const store = createTokenStore(memoryStorage());
    expect(activeToken(store, 'wall-link')).toBe('wall-link');
    expect(activeToken(store, null)).toBeNull();
    store.set('op');
    expect(activeToken(store, 'wall-link')).toBe('op');
  });
});

describe('signing in', () => {
  const health = 'http://127.0.0.1:8080/api/health';
  const answering = (status: number) => vi.fn(async (_url: string | URL | Request, _init?: RequestInit) => new Response('{}', { status }));

  it('checks the token with a read (Authorization: Bearer) before keeping it', async () => {
    const fetchImpl = answering(200);
    const store = createTokenStore(memoryStorage());
    const auth = createSessionAuth(store, health, fetchImpl as unknown as typeof fetch);
    expect(await auth.signIn(' op-secret ')).toEqual({ ok: true });
    expect(auth.signedIn()).toBe(true);
    expect(store.get()).toBe('op-secret');
    const [url, init] = fetchImpl.mock.calls[0];
    expect(url).toBe(health);
    expect((init!.headers as Record<string, string>).Authorization).toBe('Bearer op-secret');
    auth.signOut();
    expect(auth.signedIn()).toBe(false);
  });

  it('keeps nothing when the server does not recognise the token (401), cannot be reached, or it is no token at all', async () => {
    const store = createTokenStore(memoryStorage());
    expect(await createSessionAuth(store, health, answering(401) as unknown as typeof fetch).signIn('guess')).toEqual({ ok: false, reason: 'not_recognised', status: 401 });
    const down = vi.fn(async () => {
      throw new TypeError('Failed to fetch');
    });
    expect(await createSessionAuth(store, health, down as unknown as typeof fetch).signIn('t')).toEqual({ ok: false, reason: 'unreachable' });
    expect(await checkToken(health, '   ', answering(200) as unknown as typeof fetch)).toEqual({ ok: false, reason: 'empty' });
    expect(await checkToken(health, 'x'.repeat(600), answering(200) as unknown as typeof fetch)).toEqual({ ok: false, reason: 'too_long' });
    expect(await checkToken(health, 'two words', answering(200) as unknown as typeof fetch)).toEqual({ ok: false, reason: 'not_recognised' });
    expect(store.get()).toBeNull();
  });
});

describe('where the token goes', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('on every request as Authorization: Bearer', async () => {
    const seen: (string | undefined)[] = [];
    vi.stubGlobal('fetch', async (_url: string, init: RequestInit) => {
      seen.push((init.headers as Record<string, string>).Authorization);
      return new Response('{"ok":true,"at":1}', { status: 200 });
    });
    await postRpc('http://127.0.0.1:8080/', 'codeStop', { line: 'l' }, 'op-secret');
    await postRpc('http://127.0.0.1:8080/', 'history', {}, null);
    // Without one given, the page's own ?token= as before.
    await postRpc('http://127.0.0.1:8080/?token=wall', 'live', {});
    expect(seen).toEqual(['Bearer op-secret', undefined, 'Bearer wall']);
    expect(requestHeaders('op-secret').Authorization).toBe('Bearer op-secret');
  });

  it('on the event socket as ?token= (a browser WebSocket cannot set headers)', () => {
    expect(eventsUrl('http://127.0.0.1:8080/#/history', 'op secret')).toBe('ws://127.0.0.1:8080/api/events?token=op+secret');
    expect(eventsUrl('http://127.0.0.1:8080/?token=wall', null)).toBe('ws://127.0.0.1:8080/api/events');
    expect(eventsUrl('http://127.0.0.1:8080/?token=wall')).toBe('ws://127.0.0.1:8080/api/events?token=wall');
  });

  it('never into an export link unless it is the page\'s own: the stops and daily CSV links', () => {
    expect(exportUrl('http://127.0.0.1:8080/', '2026-11-24', null, 'stops')).toBe('http://127.0.0.1:8080/api/export/stops.csv?date=2026-11-24');
    expect(exportUrl('http://127.0.0.1:8080/?token=wall', '2026-11-24')).toBe('http://127.0.0.1:8080/api/export/daily.csv?date=2026-11-24&token=wall');
    expect(healthUrl('http://127.0.0.1:8080/sub/?x=1#/history')).toBe('http://127.0.0.1:8080/sub/api/health');
  });

  it('names the download as the server does (Content-Disposition), else a fallback', () => {
    expect(attachmentName('attachment; filename="taktboard-stops-2026-11-24.csv"', 'x.csv')).toBe('taktboard-stops-2026-11-24.csv');
    expect(attachmentName(null, 'taktboard-stops-2026-11-24.csv')).toBe('taktboard-stops-2026-11-24.csv');
    expect(attachmentName('attachment; filename="../../evil"', 'safe.csv')).toBe('safe.csv');
  });
});
