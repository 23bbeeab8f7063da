import { Fragment, useMemo, useState } from 'react';
import type { StopRow } from '../../../../shared/api.ts';
import { formatClockSeconds } from '../../display.ts';
import { useI18n } from '../../i18nContext.tsx';
import { CodeStopPicker, ReasonText, SourceBadge } from './CodeStop.tsx';
import {
  DEFAULT_SORT,
  filterStops,
  formatDuration,
  LINE_ITSELF,
  nextSort,
  NO_FILTER,
  reasonLabel,
  sortStops,
  stopFilterOptions,
  stopKey,
  type CatalogueReason,
  type StopFilter,
  type StopSort,
  type StopSortKey,
} from './losses.ts';

/** Rows drawn at first; a long day of stops shows the rest on request. */
const FIRST_ROWS = 100;

interface Props {
  line: string;
  stops: StopRow[];
  catalogue: readonly CatalogueReason[];
  timezone: string;
  /** The whole day (ALL): each row says its shift. */
  showShift: boolean;
  /** A stop was coded: the view is asked again, so the table shows the operator's reason. */
  onCoded(): void;
}

export function StopsTable({ line, stops, catalogue, timezone, showShift, onCoded }: Props) {
  const { t, lang } = useI18n();
  const [filter, setFilter] = useState<StopFilter>(NO_FILTER);
  const [sort, setSort] = useState<StopSort>(DEFAULT_SORT);
  const [open, setOpen] = useState<string | null>(null);
  const [limit, setLimit] = useState(FIRST_ROWS);
  const [coded, setCoded] = useState<string | null>(null);
  const options = useMemo(() => stopFilterOptions(stops), [stops]);
  const rows = useMemo(() => sortStops(filterStops(stops, filter), sort), [stops, filter, sort]);
  if (stops.length === 0) return <p className="note" data-testid="stops-none">{t('stops.none')}</p>;
  const shown = rows.slice(0, limit);
  const totalS = rows.reduce((sum, r) => sum + r.durationS, 0);
  const clock = (ts: number) => formatClockSeconds(ts, timezone);
  const columns = 10 + (showShift ? 1 : 0);
  const set = <K extends keyof StopFilter>(key: K, value: StopFilter[K]) => {
    setFilter((f) => ({ ...f, [key]: value }));
    setLimit(FIRST_ROWS);
  };
  const header = (key: StopSortKey, label: string, className?: string) => {
    const active = sort.key === key;
    return (
      <th className={className} aria-sort={active ? (sort.dir === 'asc' ? 'ascending' : 'descending') : 'none'}>
        <button type="button" className="sort-button" data-testid={`stops-sort-${key}`} title={t('stops.sortBy', { column: label })} onClick={() => setSort((s) => nextSort(s, key))}>
          {label}
          <span aria-hidden="true" className="sort-mark">
            {active ? (sort.dir === 'asc' ? ' ▲' : ' ▼') : ' ↕'}
          </span>
        </button>
      </th>
    );
  };
  const what = (r: StopRow) => `${r.kind === 'down' ? `${t('stops.kind.down')} ${r.station ?? ''}` : t('stops.kind.unreported_stop')} · ${clock(r.stopStart)} · ${formatDuration(r.durationS)}`;

  return (
    <div className="stops" data-testid="stops">
      <div className="stops-filters" role="group" aria-label={t('stops.filters')}>
        <label>
          {t('stops.kind')}
          <select value={filter.kind} data-testid="stops-filter-kind" onChange={(e) => set('kind', e.target.value as StopFilter['kind'])}>
            <option value="">{t('stops.any')}</option>
            <option value="down">{t('stops.kind.down')}</option>
            <option value="unreported_stop">{t('stops.kind.unreported_stop')}</option>
          </select>
        </label>
        <label>
          {t('col.station')}
          <select value={filter.station} data-testid="stops-filter-station" onChange={(e) => set('station', e.target.value)}>
            <option value="">{t('stops.any')}</option>
            {options.stations.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
            {options.hasLineStops ? <option value={LINE_ITSELF}>{t('stops.lineItself')}</option> : null}
          </select>
        </label>
        <label>
          {t('stops.reason')}
          <select value={filter.reason} data-testid="stops-filter-reason" onChange={(e) => set('reason', e.target.value)}>
            <option value="">{t('stops.any')}</option>
            {options.reasons.map((r) => (
              <option key={r} value={r}>
                {r === 'unspecified' ? t('reason.unspecified') : reasonLabel(r, catalogue, lang)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('stops.source')}
          <select value={filter.source} data-testid="stops-filter-source" onChange={(e) => set('source', e.target.value as StopFilter['source'])}>
            <option value="">{t('stops.any')}</option>
            <option value="machine">{t('source.machine')}</option>
            <option value="operator">{t('source.operator')}</option>
            <option value="none">{t('source.none')}</option>
          </select>
        </label>
        {filter.kind || filter.station || filter.reason || filter.source ? (
          <button type="button" onClick={() => setFilter(NO_FILTER)} data-testid="stops-clear-filters">
            {t('stops.clearFilters')}
          </button>
        ) : null}
        <span className="note stops-count" data-testid="stops-count" role="status">
          {t('stops.count', { shown: rows.length, total: stops.length, duration: formatDuration(totalS) })}
        </span>
      </div>
      {coded ? (
        <p className="ok" role="status" data-testid="stops-coded">
          ✓ {coded}
        </p>
      ) : null}
      <div className="table-scroll">
        <table className="table compact stops-table" data-testid="stops-table">
          <thead>
            <tr>
              {showShift ? <th>{t('history.shift')}</th> : null}
              {header('start', t('stops.start'))}
              <th>{t('stops.end')}</th>
              {header('duration', t('stops.duration'), 'num')}
              <th>{t('stops.kind')}</th>
              {header('station', t('col.station'))}
              {header('reason', t('stops.reason'))}
              {header('source', t('stops.source'))}
              <th>{t('stops.comment')}</th>
              {header('codedBy', t('stops.codedBy'))}
              <th>
                <span className="sr-only">{t('stops.code')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {shown.length === 0 ? (
              <tr>
                <td colSpan={columns} className="note">
                  {t('stops.noneMatch')}
                </td>
              </tr>
            ) : null}
            {shown.map((r) => {
              const key = stopKey(r);
              const isOpen = open === key;
              return (
                <Fragment key={key}>
                  <tr
                    data-testid="stop-row"
                    data-kind={r.kind}
                    data-station={r.station ?? ''}
                    data-start={r.stopStart}
                    data-reason={r.reason}
                    data-source={r.source}
                    className={isOpen ? 'open' : undefined}
                  >
                    {showShift ? <td>{r.shift}</td> : null}
                    <td className="nowrap">
                      {clock(r.start)}
                      {r.stopStart < r.start ? <span className="note began"> {t('stops.began', { time: clock(r.stopStart) })}</span> : null}
                    </td>
                    <td className="nowrap">{clock(r.end)}</td>
                    <td className="num nowrap" data-testid="stop-duration">
                      {formatDuration(r.durationS)}
                    </td>
                    <td>
                      <span className={`stop-kind stop-kind-${r.kind}`}>{r.kind === 'down' ? t('stops.kind.down') : t('stops.kind.unreported_stop')}</span>
                    </td>
                    <td className="nowrap">{r.station ?? <span className="note">{t('stops.lineItself')}</span>}</td>
                    <td data-testid="stop-reason">
                      <ReasonText reason={r.reason} catalogue={catalogue} />
                    </td>
                    <td data-testid="stop-source">
                      <SourceBadge source={r.source} />
                    </td>
                    <td className="untrusted stop-comment" data-testid="stop-comment">
                      {r.comment ?? ''}
                    </td>
                    <td className="untrusted" data-testid="stop-coded-by">
                      {r.codedBy ?? ''}
                    </td>
                    <td>
                      <button type="button" className="code-button" aria-expanded={isOpen} data-testid="stop-code" onClick={() => setOpen(isOpen ? null : key)}>
                        {r.source === 'operator' ? t('stops.recode') : t('stops.code')}
                      </button>
                    </td>
                  </tr>
                  {isOpen ? (
                    <tr className="code-row">
                      <td colSpan={columns}>
                        <CodeStopPicker
                          target={{ line, station: r.station, start: r.stopStart }}
                          catalogue={catalogue}
                          title={what(r)}
                          onCancel={() => setOpen(null)}
                          onCoded={(reason) => {
                            setOpen(null);
                            setCoded(t('stops.coded', { what: what(r), reason: reasonLabel(reason, catalogue, lang) }));
                            onCoded();
                          }}
                        />
                      </td>
                    </tr>
                  ) : null}
                </Fragment>
              );
            })}
          </tbody>
        </table>
      </div>
      {rows.length > shown.length ? (
        <button type="button" onClick={() => setLimit(rows.length)} data-testid="stops-show-all">
          {t('stops.showAll', { count: rows.length })}
        </button>
      ) : null}
    </div>
  );
}
