import { describe, expect, it } from 'vitest';
import { dictionaries, initialLanguage, LANGUAGES, otherLanguage, placeholdersOf, translate, translateWords } from '../../renderer/src/i18n.ts';
import { english, type Words } from '../../shared/words.ts';

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

describe('messages the core sends as words', () => {
  const CJK = /[\u4e00-\u9fff]/;
  // As the core makes them: a storage alert's detail, a broker error, a quarantine reason with a nested problem.
  const alert: Words = { key: 'alert.wal_large', params: { mb: 312 } };
  const broker: Words = { key: 'broker.unreachable', params: { detail: 'ECONNREFUSED 10.1.2.3:1883' } };
  const reason: Words = {
    key: 'join',
    params: {
      first: { key: 'quarantine.field', params: { field: 'cycle_ms', problem: { key: 'problem.expected_type', params: { expected: 'number', received: 'string' } } } },
      rest: { key: 'quarantine.field', params: { field: 'seq', problem: { key: 'problem.too_small', params: { subject: 'number', limit: '>=0' } } } },
    },
  };

  it('are Chinese in zh-CN, with the parameters as sent', () => {
    const zh = [alert, broker, reason].map((w) => translateWords('zh-CN', w));
    for (const text of zh) expect(text).toMatch(CJK);
    expect(zh[0]).toContain('312');
    expect(zh[1]).toBe('无法连接消息代理（ECONNREFUSED 10.1.2.3:1883）');
    expect(zh[2]).toBe('字段 cycle_ms：输入无效：应为 number，实际为 string；字段 seq：数值过小：number 应 >=0');
  });

  it('are the English sent beside them in en', () => {
    for (const w of [alert, broker, reason]) expect(translateWords('en', w, 'ignored')).toBe(english(w));
    expect(translateWords('en', reason)).toBe('cycle_ms: Invalid input: expected number, received string; seq: Too small: expected number to be >=0');
  });

  it('fall back to the English for a key this build does not know or malformed words, never to a blank', () => {
    const unknown = { key: 'broker.from_a_newer_core', params: { x: 1 } } as unknown as Words;
    expect(translateWords('zh-CN', unknown, 'the broker said something new')).toBe('the broker said something new');
    const nestedUnknown = { key: 'quarantine.field', params: { field: 'ts', problem: { key: 'problem.newer' } } } as unknown as Words;
    expect(translateWords('zh-CN', nestedUnknown, 'ts: something newer')).toBe('ts: something newer');
    expect(translateWords('zh-CN', { key: 'quarantine.field', params: 'oops' } as unknown as Words, 'cycle_ms: x')).toBe('cycle_ms: x');
    expect(translateWords('zh-CN', null, 'not valid UTF-8')).toBe('not valid UTF-8');
    expect(translateWords('zh-CN', unknown)).toBe('broker.from_a_newer_core');
    expect(translateWords('zh-CN', { key: 'text', params: { text: '' } })).toBe('text');
    // A parameter that did not come stays visible rather than vanishing.
    expect(translateWords('zh-CN', { key: 'broker.unreachable' })).toBe('无法连接消息代理（{detail}）');
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
