import { useId } from 'react';
import type { HistoryLine, StateSegment } from '../../../../shared/api.ts';
import { formatClock, formatClockSeconds } from '../../display.ts';
import type { Translate } from '../../i18nContext.tsx';
import { useI18n } from '../../i18nContext.tsx';
import { STATE_COLOUR } from '../../palette.ts';

const WIDTH = 1000;
const TICKS = 6;

interface Props {
  timeline: HistoryLine['timeline'];
  windows: { start: number; end: number }[];
  timezone: string;
}

/** One bar per station across the shift(s); down time is red and hatched so it reads without colour too. */
export function StateTimeline({ timeline, windows, timezone }: Props) {
  const { t } = useI18n();
  const hatchId = useId();
  if (timeline.length === 0 || windows.length === 0) return <p className="placeholder">{t('history.noTimeline')}</p>;
  const from = Math.min(...windows.map((w) => w.start));
  const to = Math.max(...windows.map((w) => w.end));
  const span = Math.max(1, to - from);
  const x = (ts: number) => ((Math.min(Math.max(ts, from), to) - from) / span) * WIDTH;
  const ticks = Array.from({ length: TICKS + 1 }, (_, i) => from + (span * i) / TICKS);
  const statesShown = [...new Set(timeline.flatMap((row) => row.segments.map((s) => s.state)))];
  return (
    <div className="timeline" data-testid="state-timeline">
      {timeline.map((row) => (
        <div className="timeline-row" key={row.station} data-station={row.station}>
          <span className="timeline-station">{row.station}</span>
          <svg className="timeline-bar" viewBox={`0 0 ${WIDTH} 10`} preserveAspectRatio="none" role="img" aria-label={describeRow(row.station, row.segments, timezone, t)}>
            <defs>
              <pattern id={`${hatchId}-${row.station}`} width="6" height="10" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
                <rect width="6" height="10" fill={STATE_COLOUR.down} />
                <line x1="0" y1="0" x2="0" y2="10" stroke="#000" strokeWidth="3" strokeOpacity="0.45" />
              </pattern>
            </defs>
            <rect x="0" y="0" width={WIDTH} height="10" fill={STATE_COLOUR.unknown} />
            {row.segments.map((seg) => (
              <rect
                key={seg.start}
                x={x(seg.start)}
                y="0"
                width={Math.max(0.5, x(seg.end) - x(seg.start))}
                height="10"
                fill={seg.state === 'down' ? `url(#${hatchId}-${row.station})` : STATE_COLOUR[seg.state]}
                data-state={seg.state}
              >
                <title>{`${t(`stationState.${seg.state}`)} ${formatClockSeconds(seg.start, timezone)}–${formatClockSeconds(seg.end, timezone)}`}</title>
              </rect>
            ))}
          </svg>
        </div>
      ))}
      <div className="timeline-row timeline-axis" aria-hidden="true">
        <span className="timeline-station" />
        <div className="timeline-ticks">
          {ticks.map((ts) => (
            <span key={ts}>{formatClock(ts, timezone)}</span>
          ))}
        </div>
      </div>
      <ul className="legend">
        {statesShown.map((state) => (
          <li key={state}>
            <span className={`legend-swatch${state === 'down' ? ' hatched' : ''}`} style={{ background: STATE_COLOUR[state] }} />
            {t(`stationState.${state}`)}
          </li>
        ))}
      </ul>
      <p className="note">{t('history.downMarked')}</p>
    </div>
  );
}

function describeRow(station: string, segments: StateSegment[], timezone: string, t: Translate): string {
  const down = segments.filter((s) => s.state === 'down');
  if (down.length === 0) return station;
  return `${station}: ${down.map((s) => `${t('stationState.down')} ${formatClock(s.start, timezone)}–${formatClock(s.end, timezone)}`).join(', ')}`;
}
