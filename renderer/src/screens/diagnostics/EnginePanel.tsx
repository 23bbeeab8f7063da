import type { Diagnostics } from '../../../../shared/api.ts';
import { formatCount } from '../../display.ts';
import { useI18n } from '../../i18nContext.tsx';

/** Milliseconds as the engine reports them (tenths at most), without a trailing ".0". */
function ms(value: number): string {
  return Number.isInteger(value) ? formatCount(value) : value.toFixed(1);
}

/** How ingest keeps up: bursts committed together, and how long a message waits for its PUBACK. */
export function IngestPanel({ d }: { d: Diagnostics }) {
  const { t } = useI18n();
  const { ingest } = d;
  const mean = ingest.batches > 0 ? (ingest.messages / ingest.batches).toFixed(1) : '0';
  return (
    <div className="panel" data-testid="diag-ingest">
      <h2>{t('diag.ingest')}</h2>
      <dl className="kv">
        <dt>{t('diag.bursts')}</dt>
        <dd data-testid="diag-bursts">
          {ingest.batches === 0
            ? t('diag.notYet')
            : t('diag.burstsText', { batches: formatCount(ingest.batches), messages: formatCount(ingest.messages), mean, largest: formatCount(ingest.largestBatch) })}
        </dd>
        <dt>{t('diag.ackLatency')}</dt>
        <dd data-testid="diag-ack-latency">
          {ingest.ackLatencyMs === null
            ? t('diag.notYet')
            : t('diag.ackLatencyText', { p50: ms(ingest.ackLatencyMs.p50), p99: ms(ingest.ackLatencyMs.p99), max: ms(ingest.ackLatencyMs.max) })}
        </dd>
      </dl>
    </div>
  );
}

/** Milliseconds below one with two decimals (an andon evaluation takes a fraction of one), else as ms() does. */
function fineMs(value: number): string {
  return value < 1 ? value.toFixed(2) : ms(Math.round(value * 10) / 10);
}

/** What the engine thread waits, in words (DESIGN: nothing may make it wait longer than a commit), and what the andon costs it. */
export function EnginePanel({ d }: { d: Diagnostics }) {
  const { t } = useI18n();
  const { engine } = d;
  const inFlight = engine.readsInFlight.reduce((a, b) => a + b, 0);
  const { andon } = engine;
  return (
    <div className="panel" data-testid="diag-engine">
      <h2>{t('diag.engine')}</h2>
      <dl className="kv">
        <dt>{t('diag.loopDelay')}</dt>
        <dd data-testid="diag-loop-delay">
          {engine.loopDelayP99Ms === null || engine.loopDelayMaxMs === null
            ? t('diag.notMeasured')
            : t('diag.loopDelayText', { p99: ms(engine.loopDelayP99Ms), max: ms(engine.loopDelayMaxMs) })}
        </dd>
        <dt>{t('diag.loopDelayWorst')}</dt>
        <dd>{engine.loopDelayP99Ms === null ? t('diag.notMeasured') : `${ms(engine.worstLoopDelayMs)} ms`}</dd>
        <dt>{t('diag.readsInFlight')}</dt>
        <dd data-testid="diag-reads">
          {t('diag.readsText', { total: formatCount(inFlight), workers: formatCount(engine.readsInFlight.length), each: engine.readsInFlight.join(' · ') || '—' })}
        </dd>
        <dt>{t('diag.andonCost')}</dt>
        <dd data-testid="diag-andon-cost">
          {andon.evaluations === 0
            ? t('diag.notMeasured')
            : t('diag.andonCostText', { count: formatCount(andon.evaluations), mean: fineMs(andon.totalMs / andon.evaluations), max: fineMs(andon.maxMs) })}
        </dd>
      </dl>
    </div>
  );
}
