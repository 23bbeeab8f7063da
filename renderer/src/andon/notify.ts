// Browser notifications of andon alerts (issue 11), opt-in: permission is asked for only when the person
// presses the button, never on load. The desktop window has none of this — its main process shows
// Electron notifications itself. Like the desktop's, at most one notification per `minGapMs`: alerts in
// between are folded into the next one's words, so a flapping line cannot bury anyone in pop-ups.

export type NotifyState =
  /** The browser has no Notification API (or this is the desktop window). */
  | 'unsupported'
  /** Not a secure context (plain http to another machine): browsers refuse notifications there. */
  | 'insecure'
  /** Not asked yet: the button asks. */
  | 'ask'
  | 'on'
  /** Permitted, but switched off here. */
  | 'off'
  /** The person (or a policy) refused: only the browser's site settings can undo it. */
  | 'denied';

export const NOTIFY_STORAGE_KEY = 'taktboard.andon.notify';

export interface NotificationEnv {
  /** `window.Notification`, or undefined. */
  api: { permission: NotificationPermission; requestPermission(): Promise<NotificationPermission> } | undefined;
  secure: boolean;
  /** The stored choice: 'on', 'off' or null. */
  stored: string | null;
}

export function notifyState(env: NotificationEnv): NotifyState {
  if (!env.api) return 'unsupported';
  if (!env.secure) return 'insecure';
  if (env.api.permission === 'denied') return 'denied';
  if (env.api.permission === 'default') return 'ask';
  return env.stored === 'off' ? 'off' : 'on';
}

/** Decides which news becomes a notification now, and how many were held back since the last one. */
export function createThrottle(minGapMs: number, now: () => number = Date.now) {
  let lastShown = Number.NEGATIVE_INFINITY;
  let held = 0;
  return {
    /** null: hold this one back (counted into the next); otherwise how many were held before it. */
    take(): number | null {
      const t = now();
      if (t - lastShown < minGapMs) {
        held++;
        return null;
      }
      lastShown = t;
      const before = held;
      held = 0;
      return before;
    },
  };
}
