import type { Words } from '../../../shared/words.ts';
import { useI18n } from '../i18nContext.tsx';

/** A request that failed: its words in the current language when it has them, else the message as sent. */
export function LoadError({ message, words, onRetry }: { message: string; words?: Words | null; onRetry(): void }) {
  const { t, tWords } = useI18n();
  return (
    <p className="error" role="alert">
      {t('app.error', { message: tWords(words, message) })}{' '}
      <button type="button" onClick={onRetry}>
        {t('app.retry')}
      </button>
    </p>
  );
}
