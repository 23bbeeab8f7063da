import type { FeedStatus, LiveLine } from '../../../../shared/api.ts';
import { formatDuration } from '../../andon/andonView.ts';
import { Icon } from '../../components/Icon.tsx';
import { formatCount } from '../../display.ts';
import { useI18n } from '../../i18nContext.tsx';

/**
 * Supply coverage (issue 11): for each configured feed (e.g. Yibin cells → Yubei vehicles), today's units made
 * against those the vehicles built used and those today's plan needs, and how long the difference keeps the
 * consuming line going at its target takt. Said on the panel: an estimate from counts, not an inventory
 * (scrap, stock carried over and parts in transit are not counted).
 */
export function FeedsPanel({ feeds, lines }: { feeds: FeedStatus[]; lines: LiveLine[] }) {
  const { t, lang } = useI18n();
  if (feeds.length === 0) return null;
  const name = (id: string) => lines.find((l) => l.id === id)?.name ?? id;
  return (
    <section className="panel feeds" aria-labelledby="feeds-title" data-testid="feeds-panel">
      <header className="panel-head">
        <h2 id="feeds-title">
          <Icon name="supply" /> {t('feeds.title')}
        </h2>
        <span className="tag tag-estimate">{t('feeds.estimateTag')}</span>
      </header>
      <p className="note">{t('feeds.estimate')}</p>
      <div className="table-scroll">
        <table className="table feeds-table" data-testid="feeds">
          <thead>
            <tr>
              <th scope="col">{t('feeds.feed')}</th>
              <th scope="col" className="num">
                {t('feeds.made')}
              </th>
              <th scope="col" className="num">
                {t('feeds.neededBuilt')}
              </th>
              <th scope="col" className="num">
                {t('feeds.neededPlanned')}
              </th>
              <th scope="col" className="num">
                {t('feeds.stock')}
              </th>
              <th scope="col">{t('feeds.covers')}</th>
            </tr>
          </thead>
          <tbody>
            {feeds.map((f) => {
              const short = f.stock < 0;
              return (
                <tr key={`${f.from}>${f.to}`} data-testid="feed-row" data-from={f.from} data-to={f.to} data-stock={f.stock} data-covers-s={f.coversS} className={short ? 'feed-short' : 'feed-ok'}>
                  <th scope="row">
                    <span className="feed-route">{t('feeds.route', { from: name(f.from), to: name(f.to) })}</span>
                    <span className="figure-sub">{t('feeds.perUnit', { n: formatCount(f.perUnit) })}</span>
                  </th>
                  <td className="num">{formatCount(f.made)}</td>
                  <td className="num">{formatCount(f.neededBuilt)}</td>
                  <td className="num">{formatCount(f.neededPlanned)}</td>
                  <td className="num feed-stock">
                    <Icon name={short ? 'warning' : 'check'} /> {formatCount(f.stock)} <span className="feed-word">{short ? t('feeds.short') : t('feeds.ahead')}</span>
                  </td>
                  <td className="feed-covers">{short || f.coversS <= 0 ? t('feeds.coversNone') : t('feeds.coversValue', { time: formatDuration(lang, f.coversS * 1000), to: name(f.to) })}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </section>
  );
}
