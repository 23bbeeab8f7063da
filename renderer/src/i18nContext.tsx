// The current language for every component, remembered across reloads and mirrored on <html lang>
// so screen readers and font selection follow the switch.
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import type { Words } from '../../shared/words.ts';
import { initialLanguage, LANGUAGE_STORAGE_KEY, translate, translateWords, type Language, type MessageKey, type Vars } from './i18n.ts';

export type Translate = (key: MessageKey, vars?: Vars) => string;
/** Words the core sent, in the current language; `fallback` (the English sent beside them) when they cannot be. */
export type TranslateWords = (words: Words | null | undefined, fallback?: string | null) => string;

interface I18nValue {
  lang: Language;
  setLang(lang: Language): void;
  t: Translate;
  tWords: TranslateWords;
}

const I18nContext = createContext<I18nValue | null>(null);

function readStoredLanguage(): string | null {
  try {
    return window.localStorage.getItem(LANGUAGE_STORAGE_KEY);
  } catch {
    // Storage can be disabled (kiosk profiles); the language then just is not remembered.
    return null;
  }
}

function storeLanguage(lang: Language): void {
  try {
    window.localStorage.setItem(LANGUAGE_STORAGE_KEY, lang);
  } catch {
    // see readStoredLanguage
  }
}

export function I18nProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Language>(() => initialLanguage(readStoredLanguage(), navigator.languages ?? [navigator.language]));
  useEffect(() => {
    document.documentElement.lang = lang;
  }, [lang]);
  const setLang = useCallback((next: Language) => {
    storeLanguage(next);
    setLangState(next);
  }, []);
  const value = useMemo<I18nValue>(
    () => ({ lang, setLang, t: (key, vars) => translate(lang, key, vars), tWords: (words, fallback) => translateWords(lang, words, fallback ?? '') }),
    [lang, setLang],
  );
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18nValue {
  const value = useContext(I18nContext);
  if (!value) throw new Error('useI18n outside I18nProvider');
  return value;
}
