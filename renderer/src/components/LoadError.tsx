import { useI18n } from '../i18nContext.tsx';

export function LoadError({ message, onRetry }: { message: string; onRetry(): void }) {
  const { t } = useI18n();
  return (
    <p className="error" role="alert">
      {t('app.error', { message })}{' '}
      <button type="button" onClick={onRetry}>
        {t('app.retry')}
      </button>
    </p>
  );
}
