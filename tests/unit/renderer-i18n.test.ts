import { describe, expect, it } from 'vitest';
import { dictionaries, initialLanguage, LANGUAGES, otherLanguage, placeholdersOf, translate } from '../../renderer/src/i18n.ts';

describe('renderer i18n dictionaries', () => {
  const [en, zh] = [dictionaries.en, dictionaries['zh-CN']];

  it('have identical key sets', () => {
    expect(Object.keys(zh).sort()).toEqual(Object.keys(en).sort());
  });

  it('have no empty or whitespace-only strings', () => {
    for (const lang of LANGUAGES) {
      for (const [key, text] of Object.entries(dictionaries[lang])) {
        expect(text.trim(), `${lang} ${key}`).not.toBe('');
      }
    }
  });

  it('use the same placeholders in both languages', () => {
    for (const key of Object.keys(en) as (keyof typeof en)[]) {
      expect(placeholdersOf(zh[key]), key).toEqual(placeholdersOf(en[key]));
    }
  });

  it('really translate: most Chinese strings differ from the English ones', () => {
    const same = (Object.keys(en) as (keyof typeof en)[]).filter((k) => en[k] === zh[k]);
    // Only language-neutral strings may repeat (e.g. "OEE %", "{time} → {path}").
    expect(same.length).toBeLessThan(5);
  });
});

describe('translate', () => {
  it('fills placeholders and leaves unknown ones visible', () => {
    expect(translate('en', 'card.gaps', { count: 12, time: '14:05' })).toBe('12 messages missing since 14:05');
    expect(translate('zh-CN', 'card.gaps', { count: 12, time: '14:05' })).toBe('自 14:05 起缺失 12 条消息');
    expect(translate('en', 'card.gaps', { count: 3 })).toBe('3 messages missing since {time}');
  });

  it('does not interpret replacement patterns in values', () => {
    expect(translate('en', 'app.error', { message: '$& $1 {x}' })).toBe('Could not load: $& $1 {x}');
  });
});

describe('language choice', () => {
  it('prefers the stored language, else the browser languages', () => {
    expect(initialLanguage('zh-CN', ['en-US'])).toBe('zh-CN');
    expect(initialLanguage('en', ['zh-CN'])).toBe('en');
    expect(initialLanguage(null, ['zh-TW', 'en'])).toBe('zh-CN');
    expect(initialLanguage('klingon', ['de-DE'])).toBe('en');
    expect(initialLanguage(null, [])).toBe('en');
  });

  it('switches between the two languages', () => {
    expect(otherLanguage('en')).toBe('zh-CN');
    expect(otherLanguage('zh-CN')).toBe('en');
  });
});
