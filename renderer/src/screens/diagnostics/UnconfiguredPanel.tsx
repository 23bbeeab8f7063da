import { useId, useRef, useState } from 'react';
import type { Diagnostics } from '../../../../shared/api.ts';
import { agoParts } from '../../ago.ts';
import { formatCount, formatDateTime, revealInvisible } from '../../display.ts';
import { useI18n, type Translate } from '../../i18nContext.tsx';
import { routeHref } from '../../routes.ts';
import { configSnippet, groupUnconfigured, type UnconfiguredGroup } from './configSnippet.ts';

interface Props {
  d: Diagnostics;
  timezone: string;
  /** Each configured line's stations as the live snapshot has them (configured order). */
  configuredStations: Readonly<Record<string, readonly string[]>>;
  /** The desktop window edits the configuration in Settings; the browser shell is read-only. */
  canEditSettings: boolean;
}

export function ago(ts: number, now: number, t: Translate): string {
  const { unit, n } = agoParts(now - ts);
  return unit === 'now' ? t('ago.now') : t(`ago.${unit}`, { n });
}

/** Stations (and lines) telemetry names that the newest configuration version does not list (CONTRACT §1.4). */
export function UnconfiguredPanel({ d, timezone, configuredStations, canEditSettings }: Props) {
  const { t } = useI18n();
  const groups = groupUnconfigured(d.unconfigured);
  const now = Date.now();
  return (
    <div className="panel wide" data-testid="diag-unconfigured">
      <h2>
        {t('diag.unconfigured')}
        {d.unconfigured.length > 0 ? <span className="tag tag-warn">⚠ {formatCount(d.unconfigured.length)}</span> : null}
      </h2>
      {groups.length === 0 ? (
        <p className="note">{t('diag.noUnconfigured')}</p>
      ) : (
        <>
          <p className="note">{t('diag.unconfiguredNote')}</p>
          <table className="table compact">
            <thead>
              <tr>
                <th>{t('col.line')}</th>
                <th>{t('col.station')}</th>
                <th>{t('col.firstSeen')}</th>
                <th className="num">{t('col.messages')}</th>
              </tr>
            </thead>
            <tbody>
              {d.unconfigured.map((u) => (
                <tr key={`${u.line}/${u.station}`} data-testid="unconfigured-row" data-line={u.line} data-station={u.station}>
                  <td>
                    <bdi className="untrusted">{revealInvisible(u.line)}</bdi>
                    {u.lineConfigured ? null : <span className="tag">{t('diag.lineUnknown')}</span>}
                  </td>
                  <td>
                    <bdi className="untrusted">{revealInvisible(u.station)}</bdi>
                  </td>
                  <td className="nowrap">
                    <time dateTime={new Date(u.firstSeen).toISOString()} title={formatDateTime(u.firstSeen, timezone)}>
                      {t('diag.seen', { ago: ago(u.firstSeen, now, t) })}
                    </time>
                  </td>
                  <td className="num">{formatCount(u.messages)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <div className="snippets">
            {groups.map((g) => (
              <AddToConfig key={g.line} group={g} configuredStations={configuredStations[g.line]} canEditSettings={canEditSettings} />
            ))}
          </div>
        </>
      )}
    </div>
  );
}

type CopyState = 'idle' | 'copied' | 'failed';

/** Until Settings has forms: the JSON to add, to copy into the configuration (on the desktop, in Settings). */
function AddToConfig({ group, configuredStations, canEditSettings }: { group: UnconfiguredGroup; configuredStations: readonly string[] | undefined; canEditSettings: boolean }) {
  const { t } = useI18n();
  const [open, setOpen] = useState(false);
  const [copy, setCopy] = useState<CopyState>('idle');
  const area = useRef<HTMLTextAreaElement>(null);
  const regionId = useId();
  const snippet = configSnippet(group, configuredStations);
  const lead =
    snippet.kind === 'line'
      ? t('diag.snippetLine')
      : snippet.kind === 'stations'
        ? t('diag.snippetStations', { line: group.line })
        : t('diag.snippetStationsOnly', { line: group.line });

  const onCopy = async () => {
    try {
      await navigator.clipboard.writeText(snippet.json);
      setCopy('copied');
    } catch {
      // No clipboard (a plain-http wall display): select the text so Ctrl+C copies it.
      area.current?.select();
      setCopy(document.execCommand?.('copy') ? 'copied' : 'failed');
    }
  };

  return (
    <div className="snippet" data-testid="add-to-config" data-line={group.line}>
      <button type="button" aria-expanded={open} aria-controls={regionId} data-testid="add-to-config-toggle" onClick={() => setOpen((o) => !o)}>
        {open ? '▾' : '▸'} {t('diag.addToConfig')}: <bdi>{revealInvisible(group.line)}</bdi>
      </button>
      {open ? (
        <div id={regionId} className="snippet-body">
          <p className="note">{lead}</p>
          <textarea
            ref={area}
            className="snippet-json"
            readOnly
            data-testid="config-snippet"
            aria-label={t('diag.snippetLabel', { line: group.line })}
            value={snippet.json}
            rows={Math.min(12, snippet.json.split('\n').length + 1)}
            onFocus={(e) => e.currentTarget.select()}
          />
          <div className="snippet-actions">
            <button type="button" data-testid="config-snippet-copy" onClick={() => void onCopy()}>
              {t('diag.copy')}
            </button>
            {canEditSettings ? (
              <a className="button-link" href={routeHref({ screen: 'settings' })} data-testid="open-settings">
                {t('diag.openSettings')}
              </a>
            ) : null}
            <span role="status" className={copy === 'failed' ? 'error-text' : 'note'}>
              {copy === 'copied' ? t('diag.copied') : copy === 'failed' ? t('diag.copyFailed') : ''}
            </span>
          </div>
        </div>
      ) : null}
    </div>
  );
}
