// tests/RELIABILITY-MATRIX.md cites tests by name; a renamed or deleted test must not leave the matrix
// claiming coverage it no longer has. This reads every citation in the matrix and looks the title up in the
// cited file's source.
//
// The citation form the matrix uses (and this test reads):  I/file.test.ts › describe › `test title`
//   - a file is `I/`, `U/`, `D/` or `E/` (tests/integration, unit, desktop, e2e) followed by a path;
//   - a backticked text right after a `›` is a test title in the file named last before it;
//   - further titles may follow a title with only `,`, `;` or `and` between them (a list), and a
//     parenthesis after a title (what that test shows) does not end the list;
//   - `…` in a cited title stands for any text (an abbreviation).
// Any other backticked text (an env variable, an alert code, a config key) is not a title. A title made at
// run time (`${…}` in a template, `%s` of `.each`) is matched with those parts standing for any text.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const MATRIX = 'tests/RELIABILITY-MATRIX.md';
const FOLDERS: Record<string, string> = { I: 'tests/integration', U: 'tests/unit', D: 'tests/desktop', E: 'tests/e2e' };

interface Citation {
  row: number;
  file: string;
  title: string;
}

interface MatrixRow {
  row: number;
  status: string;
  tests: string;
}

/** The table rows of the matrix: number, status cell, tests cell. */
function matrixRows(markdown: string): MatrixRow[] {
  const rows: MatrixRow[] = [];
  for (const line of markdown.split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    // | # | fault | status | tests |  →  ['', '#', 'fault', 'status', 'tests', '']
    if (cells.length < 6 || !/^\d+$/.test(cells[1])) continue;
    rows.push({ row: Number(cells[1]), status: cells[3], tests: cells.slice(4, -1).join('|') });
  }
  return rows;
}

/** Every file mentioned in a tests cell, and every title cited in it (see the form above). */
function citationsOf(row: MatrixRow): { files: string[]; citations: Citation[] } {
  const files: string[] = [];
  const citations: Citation[] = [];
  const token = /(?<file>(?<![\w/])[IUDE]\/[\w./-]+?\.(?:test|spec)\.tsx?)|(?<sep>›)|`(?<code>[^`]+)`|(?<open>\()|(?<close>\))/g;
  type State = { file: string | null; prev: 'file' | 'sep' | 'title' | 'code' | 'open' | null; gap: string };
  let state: State = { file: null, prev: null, gap: '' };
  // A parenthesis after a title (what the test shows) does not end a list of titles; what it cites stays inside it.
  const outer: State[] = [];
  let end = 0;
  for (const m of row.tests.matchAll(token)) {
    state.gap += row.tests.slice(end, m.index);
    end = m.index + m[0].length;
    const g = m.groups!;
    if (g.file) {
      state = { file: `${FOLDERS[g.file[0]]}/${g.file.slice(2)}`, prev: 'file', gap: '' };
      files.push(state.file!);
    } else if (g.sep) {
      state = { ...state, prev: 'sep', gap: '' };
    } else if (g.open) {
      outer.push(state);
      state = { ...state, prev: 'open', gap: '' };
    } else if (g.close) {
      const back = outer.pop();
      if (!back) throw new Error(`row ${row.row}: a ")" without its "("`);
      state = back;
    } else {
      const title = (state.prev === 'sep' && /^\s*$/.test(state.gap)) || (state.prev === 'title' && /^\s*(,|;|and|, and)\s*$/.test(state.gap));
      if (title) {
        if (!state.file) throw new Error(`row ${row.row}: the title \`${g.code}\` comes before any file`);
        citations.push({ row: row.row, file: state.file, title: g.code });
      }
      state = { ...state, prev: title ? 'title' : 'code', gap: '' };
    }
  }
  if (outer.length) throw new Error(`row ${row.row}: a "(" without its ")"`);
  return { files, citations };
}

// ---- test titles in a source file ---------------------------------------------------------------------

type Part = { text: string } | { expr: string };

/** Reads a string literal ('…', "…" or `…`) starting at `at`; returns its parts and where it ends. */
function readLiteral(src: string, at: number): { parts: Part[]; end: number } {
  const quote = src[at];
  const parts: Part[] = [];
  let text = '';
  let i = at + 1;
  for (; i < src.length && src[i] !== quote; i++) {
    const c = src[i];
    if (c === '\\') {
      const n = src[++i];
      if (n === 'u' && src[i + 1] === '{') {
        const close = src.indexOf('}', i);
        text += String.fromCodePoint(parseInt(src.slice(i + 2, close), 16));
        i = close;
      } else if (n === 'u') {
        text += String.fromCharCode(parseInt(src.slice(i + 1, i + 5), 16));
        i += 4;
      } else if (n === 'x') {
        text += String.fromCharCode(parseInt(src.slice(i + 1, i + 3), 16));
        i += 2;
      } else {
        text += ({ n: '\n', t: '\t', r: '\r', '0': '\0' } as Record<string, string>)[n] ?? n;
      }
    } else if (quote === '`' && c === '$' && src[i + 1] === '{') {
      const close = skipGroup(src, i + 1, '{', '}');
      if (text) parts.push({ text });
      text = '';
      parts.push({ expr: src.slice(i + 2, close - 1) });
      i = close - 1;
    } else {
      text += c;
    }
  }
  if (text) parts.push({ text });
  return { parts, end: i + 1 };
}

/** From an opening bracket at `at`, the index just past its matching close (strings and templates skipped). */
function skipGroup(src: string, at: number, open: string, close: string): number {
  let depth = 0;
  for (let i = at; i < src.length; i++) {
    const c = src[i];
    if (c === "'" || c === '"' || c === '`') {
      i = readLiteral(src, i).end - 1;
    } else if (c === '/' && src[i + 1] === '/') {
      i = src.indexOf('\n', i);
      if (i < 0) return src.length;
    } else if (c === open) {
      depth++;
    } else if (c === close && --depth === 0) {
      return i + 1;
    }
  }
  throw new Error(`unbalanced ${open} at ${at}`);
}

/**
 * The title of every test declared in a source file, as a pattern: `it('…')`, `test('…')`, `run('…')`
 * (a local alias of `it`), with any modifiers (`.skipIf(…)`, `.each(…)`, `.only`). A `${…}` in a template
 * title, and a `%s`-style placeholder of `.each`, match any text.
 */
function testTitles(src: string): { source: string; pattern: RegExp }[] {
  const titles: { source: string; pattern: RegExp }[] = [];
  for (const m of src.matchAll(/(?<![\w.$])(?:it|test|run)\b/g)) {
    let i = m.index + m[0].length;
    for (;;) {
      while (/\s/.test(src[i])) i++;
      const modifier = /^\.\w+/.exec(src.slice(i));
      if (modifier) {
        i += modifier[0].length;
        continue;
      }
      if (src[i] !== '(') break;
      let j = i + 1;
      while (/\s/.test(src[j])) j++;
      if (src[j] === "'" || src[j] === '"' || src[j] === '`') {
        const { parts } = readLiteral(src, j);
        const source = parts.map((p) => ('text' in p ? p.text : `\${${p.expr}}`)).join('');
        const body = parts
          .map((p) => ('text' in p ? escape(p.text).replace(/%[sdifjoO]|\\\$\w+/g, '.+?') : '.+?'))
          .join('');
        titles.push({ source, pattern: new RegExp(`^${body}$`, 's') });
        break;
      }
      // Arguments of a modifier (`.skipIf(x)`, `.each([...])`): the call with the title follows.
      i = skipGroup(src, i, '(', ')');
    }
  }
  return titles;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Whether a cited title (maybe abbreviated with …) names one of the titles. */
function findTitle(cited: string, titles: { source: string; pattern: RegExp }[]): string | null {
  const abbreviated = new RegExp(`^${cited.split('…').map(escape).join('.*')}$`, 's');
  for (const t of titles) {
    if (t.pattern.test(cited) || abbreviated.test(t.source)) return t.source;
  }
  return null;
}

// ---- the matrix ---------------------------------------------------------------------------------------

describe('tests/RELIABILITY-MATRIX.md cites only tests that exist', () => {
  const rows = matrixRows(readFileSync(path.join(ROOT, MATRIX), 'utf8'));
  const cited = rows.map((r) => ({ row: r, ...citationsOf(r) }));

  it('has one row per RELIABILITY.md row, numbered 1, 2, 3, … without a hole (37 so far)', () => {
    expect(rows.map((r) => r.row)).toEqual(Array.from({ length: Math.max(37, rows.length) }, (_, i) => i + 1));
  });

  it('every file it mentions exists', () => {
    const missing = cited.flatMap((c) => c.files.filter((f) => !existsSync(path.join(ROOT, f))).map((f) => `row ${c.row.row}: ${f}`));
    expect(missing).toEqual([]);
  });

  it('every cited test title is a test in the cited file', () => {
    const sources = new Map<string, ReturnType<typeof testTitles>>();
    const wrong: string[] = [];
    for (const { citations } of cited) {
      for (const c of citations) {
        const file = path.join(ROOT, c.file);
        if (!existsSync(file)) continue; // reported above
        if (!sources.has(file)) sources.set(file, testTitles(readFileSync(file, 'utf8')));
        if (!findTitle(c.title, sources.get(file)!)) wrong.push(`row ${c.row}: no test \`${c.title}\` in ${c.file}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('every row cites at least one test by name, unless its status says it is not covered', () => {
    const bare = cited.filter((c) => c.citations.length === 0 && !/NOT covered/.test(c.row.status)).map((c) => c.row.row);
    expect(bare).toEqual([]);
  });
});

describe('the citation reader', () => {
  it('reads files, describe paths, title lists and abbreviations; ignores other backticked text', () => {
    const row = {
      row: 9,
      status: 'covered',
      tests:
        'I/a.test.ts › row 9 › `first title`, `second` and `third …` (`max_queued_messages` 0; see U/c.test.ts › `inner`), `fourth`; U/b.test.ts (env `X_Y`) › `fifth`; the same with `reset`',
    };
    expect(citationsOf(row)).toEqual({
      files: ['tests/integration/a.test.ts', 'tests/unit/c.test.ts', 'tests/unit/b.test.ts'],
      citations: [
        { row: 9, file: 'tests/integration/a.test.ts', title: 'first title' },
        { row: 9, file: 'tests/integration/a.test.ts', title: 'second' },
        { row: 9, file: 'tests/integration/a.test.ts', title: 'third …' },
        { row: 9, file: 'tests/unit/c.test.ts', title: 'inner' },
        { row: 9, file: 'tests/integration/a.test.ts', title: 'fourth' },
        { row: 9, file: 'tests/unit/b.test.ts', title: 'fifth' },
      ],
    });
    expect(() => citationsOf({ row: 1, status: 'covered', tests: 'I/a.test.ts › `x` (open' })).toThrow('row 1: a "(" without its ")"');
  });

  it('finds titles behind modifiers, templates and each-placeholders, and not other strings', () => {
    const src = [
      "it('plain one', () => {});",
      'it.skipIf(!requireBinary(\'x\'))("double \\"quoted\\"", async () => {});',
      'it.each([[1, ")"], [2, "("]])(\'case %s\', () => {});',
      'it(`${how}: 10 published, ${n} kills`, () => {});',
      "describe('a describe', () => {}); expect('not a title');",
      "run('aliased', async () => {});",
    ].join('\n');
    const titles = testTitles(src);
    expect(titles.map((t) => t.source)).toEqual(['plain one', 'double "quoted"', 'case %s', '${how}: 10 published, ${n} kills', 'aliased']);
    expect(findTitle('plain one', titles)).toBe('plain one');
    expect(findTitle('plain …', titles)).toBe('plain one');
    expect(findTitle('case 7', titles)).toBe('case %s');
    expect(findTitle('drop: 10 published, 40 kills', titles)).toBe('${how}: 10 published, ${n} kills');
    expect(findTitle('plain', titles)).toBeNull();
    expect(findTitle('a describe', titles)).toBeNull();
    expect(findTitle('not a title', titles)).toBeNull();
  });
});
