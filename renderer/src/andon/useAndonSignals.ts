// What an andon alert does besides the banner: a sound for the configured levels, a browser notification when
// the person asked for them, and a line for screen readers. All of it only for news — an alert that opens or
// rises a level (the core's `andon` event) — never for what was already open when the page loaded.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { AndonChange, LiveSnapshot } from '../../../shared/api.ts';
import type { TaktboardClient } from '../api/client.ts';
import { usePolling } from '../hooks/usePolling.ts';
import { useI18n } from '../i18nContext.tsx';
import { alertDetail, isNews, kindKey, levelClass, placeOf } from './andonView.ts';
import { createThrottle, notifyState, NOTIFY_STORAGE_KEY, type NotifyState } from './notify.ts';
import { createBeeper, soundLevelsOf, type Beeper, type SoundState } from './sound.ts';

export const MUTE_STORAGE_KEY = 'taktboard.andon.muted';
const CONFIG_REFRESH_MS = 60_000;
const NOTIFY_MIN_GAP_MS = 10_000;

export interface AndonSignals {
  sound: {
    /** The configured levels that sound; empty: no sound at all (and no control for it). */
    levels: (1 | 2 | 3)[];
    muted: boolean;
    state: SoundState;
    /** A sound was due while the browser still kept audio locked. */
    missed: boolean;
    setMuted(muted: boolean): void;
    unlock(): void;
  };
  /** null in the desktop window, whose main process notifies. */
  notify: { state: NotifyState; request(): void; setOn(on: boolean): void } | null;
  /** The latest news in words, for a polite live region. */
  announcement: string;
}

function readStored(key: string): string | null {
  try {
    return window.localStorage.getItem(key);
  } catch {
    return null;
  }
}

function store(key: string, value: string): void {
  try {
    window.localStorage.setItem(key, value);
  } catch {
    // Storage disabled (a kiosk profile): the choice holds until the page reloads.
  }
}

type NotificationApi = typeof Notification;
const notificationApi = (): NotificationApi | undefined => (typeof window !== 'undefined' && 'Notification' in window ? window.Notification : undefined);

export function useAndonSignals(client: TaktboardClient, snapshot: LiveSnapshot | null): AndonSignals {
  const { lang, t } = useI18n();
  const config = usePolling(() => client.getConfig({}), 'andon-sound-levels', CONFIG_REFRESH_MS);
  const levels = soundLevelsOf(config.data?.config ?? null);

  const [muted, setMutedState] = useState(() => readStored(MUTE_STORAGE_KEY) === '1');
  const [soundState, setSoundState] = useState<SoundState>('locked');
  const [missed, setMissed] = useState(false);
  const beeper = useRef<Beeper | null>(null);
  useEffect(() => {
    const b = createBeeper();
    beeper.current = b;
    setSoundState(b.state());
    const off = b.onState((s) => {
      setSoundState(s);
      if (s === 'ready') setMissed(false);
    });
    return () => {
      off();
      b.dispose();
      beeper.current = null;
    };
  }, []);

  const desktop = client.kind === 'desktop';
  const [notifyStored, setNotifyStored] = useState(() => readStored(NOTIFY_STORAGE_KEY));
  // The browser's permission is read on every render; answering the prompt re-renders through this.
  const [, setAnswered] = useState(0);
  const nState = notifyState({ api: desktop ? undefined : notificationApi(), secure: typeof window !== 'undefined' && window.isSecureContext, stored: notifyStored });

  const [announcement, setAnnouncement] = useState('');

  // The listener reads the latest of everything through one ref, so it is subscribed once per client.
  const latest = useRef({ lang, t, snapshot, levels, muted, nState });
  latest.current = { lang, t, snapshot, levels, muted, nState };
  const throttle = useRef(createThrottle(NOTIFY_MIN_GAP_MS));

  useEffect(() => {
    let replaying = true;
    const off = client.on('andon', (change: AndonChange) => {
      // The hub hands a new listener the last event at once: that is old news.
      if (replaying || !isNews(change)) return;
      const { lang: l, t: tr, snapshot: s, levels: lv, muted: m, nState: ns } = latest.current;
      const a = change.alert;
      const level = levelClass(a.level);
      const lineName = (id: string) => s?.lines.find((x) => x.id === id)?.name ?? id;
      const title = tr('andon.notify.title', { level: a.level, line: placeOf(a, lineName), kind: tr(kindKey(a.kind)) });
      const detail = alertDetail(l, a, s?.timezone ?? 'UTC');
      setAnnouncement(`${title}. ${detail}`);
      if (lv.includes(level) && !m) {
        const played = beeper.current?.play(level) ?? false;
        if (!played && beeper.current?.state() === 'locked') setMissed(true);
      }
      const N = notificationApi();
      if (ns === 'on' && N && N.permission === 'granted') {
        const held = throttle.current.take();
        if (held !== null) {
          try {
            const n = new N(title, { body: held > 0 ? `${detail} ${tr('andon.notify.more', { count: held })}` : detail, tag: `taktboard-andon-${a.id}`, lang: l });
            n.onclick = () => window.focus();
          } catch {
            // Some browsers allow notifications only from a service worker: the banner still shows it.
          }
        }
      }
    });
    replaying = false;
    return off;
  }, [client]);

  const setMuted = useCallback((m: boolean) => {
    store(MUTE_STORAGE_KEY, m ? '1' : '0');
    setMutedState(m);
    // Switching the sound on is a gesture: it unlocks audio too.
    if (!m) void beeper.current?.unlock();
  }, []);
  const unlock = useCallback(() => void beeper.current?.unlock(), []);

  const request = useCallback(() => {
    const N = notificationApi();
    if (!N) return;
    void Promise.resolve(N.requestPermission()).then((p) => {
      if (p === 'granted') {
        store(NOTIFY_STORAGE_KEY, 'on');
        setNotifyStored('on');
      }
      setAnswered((n) => n + 1);
    });
  }, []);
  const setOn = useCallback((on: boolean) => {
    store(NOTIFY_STORAGE_KEY, on ? 'on' : 'off');
    setNotifyStored(on ? 'on' : 'off');
  }, []);

  return {
    sound: { levels, muted, state: soundState, missed, setMuted, unlock },
    notify: desktop ? null : { state: nState, request, setOn },
    announcement,
  };
}
