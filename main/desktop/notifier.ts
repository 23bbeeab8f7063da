// Desktop notifications of andon alerts (issue 11): from the main process, for an alert that opens or rises
// a level, at most one every `minGapMs` (the rest are folded into the next one's words), so a line that
// flaps cannot bury the operator in pop-ups. Alerts exist only in shift hours (shared/andon.ts), so
// nothing pops up outside them.
import type { AndonChange } from '../../shared/api.ts';
import type { Core } from '../core/core-types.ts';

export interface NotificationLike {
  show(): void;
}

export type NotificationFactory = (options: { title: string; body: string; urgency?: 'normal' | 'critical' | 'low' }) => NotificationLike;

export interface NotifierOptions {
  notify: NotificationFactory;
  /** Electron's Notification.isSupported(). */
  supported: () => boolean;
  minGapMs?: number;
  now?: () => number;
}

const KIND_WORDS: Record<AndonChange['alert']['kind'], string> = {
  line_down: 'station down',
  line_stopped: 'line stopped',
  behind_plan: 'behind plan',
  slow_takt: 'slow takt',
  station_stale: 'station silent',
  telemetry_gap: 'telemetry missing',
};

/** Subscribes to the core's andon changes; returns the unsubscribe. */
export function startNotifier(core: Pick<Core, 'subscribe'>, o: NotifierOptions): () => void {
  const minGapMs = o.minGapMs ?? 10_000;
  const now = o.now ?? Date.now;
  let lastShown = Number.NEGATIVE_INFINITY;
  let held = 0;
  return core.subscribe('andon', (c) => {
    if (c.change !== 'opened' && c.change !== 'escalated') return;
    if (!o.supported()) return;
    const t = now();
    if (t - lastShown < minGapMs) {
      held++;
      return;
    }
    lastShown = t;
    const a = c.alert;
    const more = held > 0 ? ` (+${held} more since the last notice)` : '';
    held = 0;
    o.notify({
      title: `Andon level ${a.level}: ${a.line}${a.station ? ` · ${a.station}` : ''} — ${KIND_WORDS[a.kind]}`,
      body: `${a.detail}${more}`,
      urgency: a.level >= 3 ? 'critical' : 'normal',
    }).show();
  });
}
