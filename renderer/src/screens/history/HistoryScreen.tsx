import { memo, useEffect, useState } from 'react';
import type { ShiftCalendar } from '../../../../shared/api.ts';
import type { ExportOutcome } from '../../api/client.ts';
import { LoadError } from '../../components/LoadError.tsx';
import { useClient } from '../../clientContext.tsx';
import { usePolling } from '../../hooks/usePolling.ts';
import { useI18n } from '../../i18nContext.tsx';
import { ALL_SHIFTS, HistoryControls, shortcutSelection, type Selection } from './HistoryControls.tsx';
import { HistoryLineSection } from './HistoryLineSection.tsx';

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

  // Opens on the running shift, the question a supervisor most often has.
  useEffect(() => {
    if (selection || !todayCalendar.data) return;
    setSelection(shortcutSelection('this', todayCalendar.data) ?? { date: todayCalendar.data.today, shift: ALL_SHIFTS });
  }, [selection, todayCalendar.data]);

  if (!selection) {
    return todayCalendar.error ? <LoadError message={todayCalendar.error} onRetry={todayCalendar.reload} /> : <p className="placeholder">{t('app.loading')}</p>;
  }
  return <HistoryBody selection={selection} onSelect={setSelection} today={todayCalendar.data?.today ?? null} calendar={todayCalendar.data} />;
});

function HistoryBody({
  selection,
  onSelect,
  today,
  calendar,
}: {
  selection: Selection;
  onSelect(s: Selection): void;
  today: string | null;
  calendar: ShiftCalendar | null;
}) {
  const { t } = useI18n();
  const client = useClient();
  const dateCalendar = usePolling(() => client.shiftCalendar({ date: selection.date }), selection.date, null);
  const view = usePolling(
    () => client.history({ date: selection.date, shift: selection.shift }),
    `${selection.date}|${selection.shift}`,
    selection.date === today ? TODAY_REFRESH_MS : null,
  );
  const [exportState, setExportState] = useState<ExportState>({ kind: 'idle' });

  const onExport = () => {
    setExportState({ kind: 'busy' });
    client.exportDaily(selection.date).then(
      (outcome) => setExportState({ kind: 'done', outcome }),
      (err: unknown) => setExportState({ kind: 'failed', message: err instanceof Error ? err.message : String(err) }),
    );
  };

  return (
    <section className="history" data-testid="history-screen">
      <h1 className="screen-title">{t('history.title')}</h1>
      <HistoryControls
        selection={selection}
        shifts={dateCalendar.data?.shifts ?? []}
        calendar={calendar}
        onChange={(next) => {
          setExportState({ kind: 'idle' });
          onSelect(next);
        }}
        exporting={exportState.kind === 'busy'}
        onExport={onExport}
      />
      <ExportMessage state={exportState} />
      {view.error ? <LoadError message={view.error} onRetry={view.reload} /> : null}
      {view.data ? (
        <>
          <p className="note" data-testid="history-meta">
            {view.data.date} · {view.data.shift} · {t('history.computed', { ms: Math.round(view.data.computeMs), tz: view.data.timezone })}
          </p>
          {view.data.lines.length === 0 ? <p className="placeholder">{t('history.noLines')}</p> : null}
          {view.data.lines.map((line) => (
            <HistoryLineSection key={line.id} line={line} view={view.data!} />
          ))}
        </>
      ) : view.loading ? (
        <p className="placeholder">{t('app.loading')}</p>
      ) : null}
    </section>
  );
}

function ExportMessage({ state }: { state: ExportState }) {
  const { t } = useI18n();
  if (state.kind === 'failed') return <p className="error" role="alert">{t('history.exportFailed', { message: state.message })}</p>;
  if (state.kind !== 'done') return null;
  const { outcome } = state;
  const text =
    outcome.kind === 'saved' ? t('history.exportSaved', { path: outcome.path }) : outcome.kind === 'cancelled' ? t('history.exportCancelled') : t('history.exportStarted');
  return (
    <p className="note" role="status" data-testid="history-export-result">
      {text}
    </p>
  );
}
