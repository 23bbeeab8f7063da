import { otherLanguage } from '../i18n.ts';
import { useI18n } from '../i18nContext.tsx';

/** Names the other language in its own script, so someone who cannot read the current one finds it. */
export function LanguageSwitch() {
  const { lang, setLang, t } = useI18n();
  const next = otherLanguage(lang);
  return (
    <button type="button" className="lang-switch" data-testid="lang-switch" lang={next} title={t('lang.label')} onClick={() => setLang(next)}>
      {t('lang.switchTo')}
    </button>
  );
}
