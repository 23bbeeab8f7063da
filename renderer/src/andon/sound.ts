// The andon's optional sound (issue 11): a short beep pattern per level, through Web Audio (no audio files,
// nothing for the CSP to refuse). Only the levels the configuration lists in `alerts.soundLevels` sound, and
// only when an alert opens or rises a level. Browsers keep audio locked until the person touches the page
// (autoplay policy): the first click or key press anywhere unlocks it; until then the banner says so.

/** One beep pattern: `count` tones of `toneMs`, `gapMs` apart, at `hz`. Higher levels: more, higher, longer. */
export interface BeepPattern {
  hz: number;
  toneMs: number;
  gapMs: number;
  count: number;
}

export const BEEP_PATTERNS: Readonly<Record<1 | 2 | 3, BeepPattern>> = {
  1: { hz: 660, toneMs: 180, gapMs: 0, count: 1 },
  2: { hz: 880, toneMs: 160, gapMs: 120, count: 2 },
  3: { hz: 1180, toneMs: 200, gapMs: 100, count: 4 },
};

/** The configured levels that sound, from `getConfig` (unknown data: anything malformed means none). */
export function soundLevelsOf(config: unknown): (1 | 2 | 3)[] {
  const levels = (config as { alerts?: { soundLevels?: unknown } } | null)?.alerts?.soundLevels;
  if (!Array.isArray(levels)) return [];
  return [...new Set(levels.filter((l): l is 1 | 2 | 3 => l === 1 || l === 2 || l === 3))].sort();
}

/** The tones of a pattern as [start, end] offsets in seconds from its beginning. */
export function toneTimes(p: BeepPattern): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < p.count; i++) {
    const startMs = i * (p.toneMs + p.gapMs);
    out.push([startMs / 1000, (startMs + p.toneMs) / 1000]);
  }
  return out;
}

export type SoundState = 'ready' | 'locked' | 'unsupported';

export interface Beeper {
  state(): SoundState;
  /** Plays a level's pattern; false when audio is still locked (nothing played) or unavailable. */
  play(level: 1 | 2 | 3): boolean;
  /** Call from a user gesture: creates or resumes the audio context. */
  unlock(): Promise<void>;
  onState(listener: (s: SoundState) => void): () => void;
  dispose(): void;
}

type AudioContextCtor = new () => AudioContext;

/** A beeper on this window's Web Audio; it unlocks itself on the first pointer or key press. */
export function createBeeper(win: Window & { webkitAudioContext?: AudioContextCtor } = window): Beeper {
  const Ctor: AudioContextCtor | undefined = (win as unknown as { AudioContext?: AudioContextCtor }).AudioContext ?? win.webkitAudioContext;
  let ctx: AudioContext | null = null;
  const listeners = new Set<(s: SoundState) => void>();
  let last: SoundState = Ctor ? 'locked' : 'unsupported';
  const state = (): SoundState => (!Ctor ? 'unsupported' : ctx && ctx.state === 'running' ? 'ready' : 'locked');
  const tell = () => {
    const s = state();
    if (s === last) return;
    last = s;
    for (const l of [...listeners]) l(s);
  };
  const unlock = async () => {
    if (!Ctor) return;
    try {
      ctx ??= new Ctor();
      ctx.onstatechange = tell;
      if (ctx.state !== 'running') await ctx.resume();
    } catch {
      // Still locked: the next gesture tries again.
    }
    tell();
  };
  const onGesture = () => {
    void unlock().then(() => {
      if (state() === 'ready') removeGestures();
    });
  };
  const gestures = ['pointerdown', 'keydown', 'touchstart'] as const;
  const removeGestures = () => gestures.forEach((g) => win.removeEventListener(g, onGesture, true));
  if (Ctor) gestures.forEach((g) => win.addEventListener(g, onGesture, true));

  return {
    state,
    play(level) {
      if (!ctx || ctx.state !== 'running') return false;
      const p = BEEP_PATTERNS[level];
      const t0 = ctx.currentTime + 0.02;
      for (const [a, b] of toneTimes(p)) {
        const osc = ctx.createOscillator();
        const gain = ctx.createGain();
        osc.type = 'square';
        osc.frequency.value = p.hz;
        // Short ramps: no click at the edges of a tone.
        gain.gain.setValueAtTime(0, t0 + a);
        gain.gain.linearRampToValueAtTime(0.25, t0 + a + 0.01);
        gain.gain.setValueAtTime(0.25, t0 + b - 0.02);
        gain.gain.linearRampToValueAtTime(0, t0 + b);
        osc.connect(gain).connect(ctx.destination);
        osc.start(t0 + a);
        osc.stop(t0 + b + 0.01);
      }
      return true;
    },
    unlock,
    onState(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    dispose() {
      removeGestures();
      listeners.clear();
      void ctx?.close().catch(() => {});
      ctx = null;
    },
  };
}
