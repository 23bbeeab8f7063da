// Small line icons drawn as SVG (no icon font: nothing to load, nothing missing from a kiosk's fonts). Each
// stands beside words, never instead of them: colour and shape repeat what the words say (WCAG 1.4.1), so
// the icons are hidden from screen readers.

const PATHS = {
  // line and station states
  running: 'M7 4.5v15l12-7.5z',
  down: 'M8.2 2.5h7.6l5.7 5.7v7.6l-5.7 5.7H8.2l-5.7-5.7V8.2zM12 7v6M12 16.5v.5',
  stopped: 'M8 5v14M16 5v14',
  changeover: 'M4 9a8 8 0 0 1 14-3l2 2M20 4v4h-4M20 15a8 8 0 0 1-14 3l-2-2M4 20v-4h4',
  planned_stop: 'M12 3a9 9 0 1 0 0 18a9 9 0 1 0 0-18M12 7v5l3.5 2',
  unknown: 'M12 3a9 9 0 1 0 0 18a9 9 0 1 0 0-18M9.5 9.5a2.5 2.5 0 1 1 3.5 2.3c-.7.3-1 .9-1 1.7M12 16.5v.5',
  // andon kinds
  line_down: 'M8.2 2.5h7.6l5.7 5.7v7.6l-5.7 5.7H8.2l-5.7-5.7V8.2zM12 7v6M12 16.5v.5',
  line_stopped: 'M12 3a9 9 0 1 0 0 18a9 9 0 1 0 0-18M10 8.5v7M14 8.5v7',
  behind_plan: 'M3 6l6.5 6.5 4-4L21 16M21 10v6h-6',
  slow_takt: 'M6 3h12M6 21h12M7 3c0 5 10 5 10 9s-10 4-10 9M17 3c0 5-10 5-10 9s10 4 10 9',
  station_stale: 'M3 3l18 18M8.5 16.5a5 5 0 0 1 7-.1M5 13a10 10 0 0 1 4-2.4M19 13a10 10 0 0 0-3-2M2 9.5a14 14 0 0 1 5-2.8M22 9.5A14 14 0 0 0 11 5.6M12 20v.5',
  telemetry_gap: 'M2 12h5M17 12h5M9 8l-2 8M17 8l-2 8',
  // forecast outlooks
  made: 'M12 3a9 9 0 1 0 0 18a9 9 0 1 0 0-18M7.5 12.5l3 3 6-6.5',
  on_pace: 'M4 13l5 5L20 6',
  behind: 'M4 5l7 7-7 7M12 5l7 7-7 7',
  out_of_reach: 'M12 3a9 9 0 1 0 0 18a9 9 0 1 0 0-18M8.5 8.5l7 7M15.5 8.5l-7 7',
  // takt against target
  on: 'M4 13l5 5L20 6',
  near: 'M12 4l9 16H3zM12 10v4M12 17v.5',
  over: 'M12 3l10 18H2zM12 9v6M12 18v.5',
  none: 'M6 12h12',
  // controls and notices
  warning: 'M12 3l10 18H2zM12 9v6M12 18v.5',
  check: 'M4 13l5 5L20 6',
  bell: 'M6 17V11a6 6 0 0 1 12 0v6l2 2H4zM10 21h4',
  bellOff: 'M6 17V11a6 6 0 0 1 9.5-4.9M18 11v6l2 2H4M10 21h4M3 3l18 18',
  sound: 'M4 9h4l5-4v14l-5-4H4zM16 9a4 4 0 0 1 0 6M18.5 6.5a8 8 0 0 1 0 11',
  mute: 'M4 9h4l5-4v14l-5-4H4zM16 9l5 6M21 9l-5 6',
  sun: 'M12 8a4 4 0 1 0 0 8a4 4 0 1 0 0-8M12 2v2M12 20v2M2 12h2M20 12h2M4.9 4.9l1.4 1.4M17.7 17.7l1.4 1.4M4.9 19.1l1.4-1.4M17.7 6.3l1.4-1.4',
  moon: 'M20 14.5A8.5 8.5 0 1 1 9.5 4 7 7 0 0 0 20 14.5z',
  prev: 'M15 5l-7 7 7 7',
  next: 'M9 5l7 7-7 7',
  pause: 'M8 5v14M16 5v14',
  play: 'M7 4.5v15l12-7.5z',
  reconnect: 'M4 12a8 8 0 0 1 14-5.3L20 9M20 4v5h-5M20 12a8 8 0 0 1-14 5.3L4 15M4 20v-5h5',
  supply: 'M3 7h11v10H3zM14 10h4l3 3v4h-7M6.5 19.5a1.5 1.5 0 1 0 0-.1M17.5 19.5a1.5 1.5 0 1 0 0-.1',
} as const;

export type IconName = keyof typeof PATHS;

/** Filled shapes read better than outlines at wall distance. */
const FILLED: ReadonlySet<IconName> = new Set(['running', 'play']);

export function Icon({ name, className }: { name: IconName; className?: string }) {
  return (
    <svg className={className ? `icon ${className}` : 'icon'} viewBox="0 0 24 24" aria-hidden="true" focusable="false" data-icon={name}>
      <path d={PATHS[name]} fill={FILLED.has(name) ? 'currentColor' : 'none'} stroke="currentColor" strokeWidth="2.2" strokeLinecap="round" strokeLinejoin="round" />
    </svg>
  );
}

/** The icon of a line (or station) state. */
export function stateIcon(state: string): IconName {
  switch (state) {
    case 'running':
    case 'down':
    case 'stopped':
    case 'changeover':
    case 'planned_stop':
      return state;
    default:
      return 'unknown';
  }
}
