// Desktop notifications of andon alerts: shown from the main process for an alert that opens or rises,
// rate-limited, with what was held back counted in the next one.
import { describe, expect, it } from 'vitest';
import type { AndonAlert, AndonChange } from '../../shared/api.ts';
import { startNotifier } from '../../main/desktop/notifier.ts';

function alert(over: Partial<AndonAlert> = {}): AndonAlert {
  return { id: 1, line: 'cell', station: 'press', kind: 'line_down', level: 1, since: 0, openedAt: 0, ackBy: null, ackAt: null, closedAt: null, detail: 'station press down for more than 60 s', words: { key: 'andon.line_down', params: {} }, ...over };
}

describe('andon desktop notifications', () => {
  it('shows openings and escalations, not acknowledgements or closings, at most one per interval', () => {
    let listener: ((c: AndonChange) => void) | null = null;
    const core = { subscribe: (_e: string, l: (c: AndonChange) => void) => ((listener = l), () => (listener = null)) } as never;
    const shown: { title: string; body: string; urgency?: string }[] = [];
    let t = 0;
    const off = startNotifier(core, { notify: (n) => ({ show: () => shown.push(n) }), supported: () => true, minGapMs: 10_000, now: () => t });
    listener!({ change: 'opened', alert: alert() });
    listener!({ change: 'acknowledged', alert: alert() });
    listener!({ change: 'closed', alert: alert() });
    t = 5_000;
    listener!({ change: 'opened', alert: alert({ id: 2, kind: 'behind_plan', station: null }) });
    t = 12_000;
    listener!({ change: 'escalated', alert: alert({ level: 3 }) });
    expect(shown).toEqual([
      { title: 'Andon level 1: cell · press — station down', body: 'station press down for more than 60 s', urgency: 'normal' },
      { title: 'Andon level 3: cell · press — station down', body: 'station press down for more than 60 s (+1 more since the last notice)', urgency: 'critical' },
    ]);
    off();
    expect(listener).toBeNull();
  });
});
