import { memo, useEffect, useState } from 'react';
import type { HistoryView, ShiftCalendar } from '../../../../shared/api.ts';
import type { ExportOutcome } from '../../api/client.ts';
import { LoadError } from '../../components/LoadError.tsx';
import { SessionStatus } from '../../components/LoginBox.tsx';
import { useClient } from '../../clientContext.tsx';
import { formatClock } from '../../display.ts';
import { usePolling } from '../../hooks/usePolling.ts';
import { useI18n } from '../../i18nContext.tsx';
import { useReasonCatalogue } from './CodeStop.tsx';
import { HistoryControls } from './HistoryControls.tsx';
import { HistoryLineSection } from './HistoryLineSection.tsx';
import { progressOf } from './progress.ts';
import { initialSelection, shiftOnDate, type Selection } from './selection.ts';

/** A running shift keeps changing, so today's view refreshes; past days do not. */
const TODAY_REFRESH_MS = 30_000;
const CALENDAR_REFRESH_MS = 60_000;

type ExportState = { kind: 'idle' } | { kind: 'busy' } | { kind: 'done'; outcome: ExportOutcome } | { kind: 'failed'; message: string };

/** Memoised: the live feed re-renders the app several times a second; history only changes on its own requests. */
export const HistoryScreen = memo(function HistoryScreen() {
  const { t } = useI18n();
  const client = useClient();
  const todayCalendar = usePolling(() => client.shiftCalendar({}), 'today', CALENDAR_REFRESH_MS);
  const [selection, setSelection] = useState<Selection | null>(null);

  // Opens on the running shift, the question a supervisor most often has (on a day off, the last one).
  useEffect(() => {
    if (selection || !todayCalendar.data) return;
    setSelection(initialSelection(todayCalendar.data));
  }, [selection, todayCalendar.data]);

  if (!selection) {
    return todayCalendar.error ? <LoadError message={todayCalendar.error} words={todayCalendar.errorWords} onRetry={todayCalendar.reload} /> : <p className="placeholder">{t('app.loading')}</p>;
  }
  return <HistoryBody selection={selection} onSelect={setSelection} calendar={todayCalendar.data} />;
});

function HistoryBody({ selection, onSelect, calendar }: { selection: Selection; onSelect(s: Selection): void; calendar: ShiftCalendar | null }) {
  const { t } = useI18n();
  const client = useClient();
  const today = calendar?.today ?? null;
  const dateCalendar = usePolling(() => client.shiftCalendar({ date: selection.date }), selection.date, selection.date === today ? CALENDAR_REFRESH_MS : null);
  const dateShifts = dateCalendar.data?.shifts ?? null;
  // A shift that does not run on the picked date becomes the whole day: never a request for a shift with no instance.
  const shift = dateShifts ? shiftOnDate(selection.shift, dateShifts) : null;
  useEffect(() => {
    if (shift !== null && shift !== selection.shift) onSelect({ ...selection, shift });
  }, [shift, selection, onSelect]);
  const [exportState, setExportState] = useState<ExportState>({ kind: 'idle' });
  const [stopsExportState, setStopsExportState] = useState<ExportState>({ kind: 'idle' });
  const timezone = dateCalendar.data?.timezone ?? calendar?.timezone ?? 'UTC';

  const onExport = () => {
    setExportState({ kind: 'busy' });
    client.exportDaily(selection.date).then(
      (outcome) => setExportState({ kind: 'done', outcome }),
      (err: unknown) => setExportState({ kind: 'failed', message: err instanceof Error ? err.message : String(err) }),
    );
  };
  // The stops CSV (CONTRACT §4.1), the same bytes as the API and the CLI.
  const onExportStops = () => {
    setStopsExportState({ kind: 'busy' });
    client.exportStops(selection.date).then(
      (outcome) => setStopsExportState({ kind: 'done', outcome }),
      (err: unknown) => setStopsExportState({ kind: 'failed', message: err instanceof Error ? err.message : String(err) }),
    );
  };

  return (
    <section className="history" data-testid="history-screen">
      <div className="history-head">
        <h1 className="screen-title">{t('history.title')}</h1>
        <div className="history-exports">
          <SessionStatus />
          <button type="button" className="primary" data-testid="history-export" disabled={exportState.kind === 'busy'} onClick={onExport}>
            {exportState.kind === 'busy' ? t('history.exporting') : t('history.export')}
          </button>
          <button type="button" className="primary" data-testid="history-export-stops" disabled={stopsExportState.kind === 'busy'} onClick={onExportStops}>
            {stopsExportState.kind === 'busy' ? t('history.exporting') : t('stops.export')}
          </button>
        </div>
      </div>
      <HistoryControls
        selection={selection}
        shifts={dateShifts}
        calendar={calendar}
        dateCalendar={dateCalendar.data}
        timezone={timezone}
        onChange={(next) => {
          setExportState({ kind: 'idle' });
          setStopsExportState({ kind: 'idle' });
          onSelect(next);
        }}
      />
      <ExportMessage state={exportState} />
      <ExportMessage state={stopsExportState} testId="history-export-stops-result" />
      {dateCalendar.error && !dateCalendar.data ? <LoadError message={dateCalendar.error} words={dateCalendar.errorWords} onRetry={dateCalendar.reload} /> : null}
      {dateShifts === null || shift === null ? (
        dateCalendar.loading ? <p className="placeholder">{t('app.loading')}</p> : null
      ) : dateShifts.length === 0 ? (
        <NoShift date={selection.date} />
      ) : (
        <HistoryResult date={selection.date} shift={shift} refresh={selection.date === today} dateShifts={dateShifts.map((s) => s.name)} />
      )}
    </section>
  );
}

/** A holiday, a weekend or another day off picked by hand: said in words, not an empty screen. */
function NoShift({ date }: { date: string }) {
  const { t } = useI18n();
  return (
    <div className="panel history-no-shift" data-testid="history-no-shift" role="status">
      <h2>{t('history.noShift')}</h2>
      <p>{t('history.noShiftDetail', { date })}</p>
    </div>
  );
}

function HistoryResult({ date, shift, refresh, dateShifts }: { date: string; shift: string; refresh: boolean; dateShifts: string[] }) {
  const { t } = useI18n();
  const client = useClient();
  const view = usePolling(() => client.history({ date, shift }), `${date}|${shift}`, refresh ? TODAY_REFRESH_MS : null);
  const catalogue = useReasonCatalogue();
  if (view.error && !view.data) return <LoadError message={view.error} words={view.errorWords} onRetry={view.reload} />;
  if (!view.data) return view.loading ? <p className="placeholder">{t('app.loading')}</p> : null;
  const data = view.data;
  const progress = progressOf(data);
  return (
    <>
      {view.error ? <LoadError message={view.error} words={view.errorWords} onRetry={view.reload} /> : null}
      <StatusMarker view={data} />
      <p className="note" data-testid="history-meta">
        {data.date} · {data.shift} · {t('history.computed', { ms: Math.round(data.computeMs), tz: data.timezone })}
      </p>
      {progress.status === 'not_started' ? null : (
        <>
          {data.lines.length === 0 ? <p className="placeholder">{t('history.noLines')}</p> : null}
          {data.lines.map((line) => (
            <HistoryLineSection
              key={line.id}
              line={line}
              view={data}
              soFarUntil={progress.upTo}
              shifts={data.shift === 'ALL' ? dateShifts : [data.shift]}
              catalogue={catalogue}
              onChanged={view.reload}
            />
          ))}
        </>
      )}
    </>
  );
}

/** Figures of a shift or day that is not over are "so far" (CONTRACT §2.3): said in words, above them. */
function StatusMarker({ view }: { view: HistoryView }) {
  const { t } = useI18n();
  const progress = progressOf(view);
  const clock = (ts: number | null) => formatClock(ts, view.timezone);
  if (progress.status === 'complete') {
    return (
      <p className="history-status status-complete" data-testid="history-status" data-status="complete">
        <span className="status-chip">✓ {t('history.complete')}</span>
      </p>
    );
  }
  const inProgress = progress.status === 'in_progress';
  return (
    <div className={`history-status status-${progress.status}`} data-testid="history-status" data-status={progress.status} role="status">
      <span className="status-chip">{inProgress ? `◔ ${t('history.inProgress')}` : `○ ${t('history.notStarted')}`}</span>
      <span className="status-detail">
        {inProgress ? t('history.inProgressDetail', { time: clock(progress.upTo) }) : t('history.notStartedDetail', { time: clock(progress.startsAt) })}
      </span>
    </div>
  );
}

function ExportMessage({ state, testId = 'history-export-result' }: { state: ExportState; testId?: string }) {
  const { t } = useI18n();
  if (state.kind === 'failed') return <p className="error" role="alert">{t('history.exportFailed', { message: state.message })}</p>;
  if (state.kind !== 'done') return null;
  const { outcome } = state;
  const text =
    outcome.kind === 'saved' ? t('history.exportSaved', { path: outcome.path }) : outcome.kind === 'cancelled' ? t('history.exportCancelled') : t('history.exportStarted');
  return (
    <p className="note" role="status" data-testid={testId}>
      {text}
    </p>
  );
}
