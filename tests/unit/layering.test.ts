import { describe, it, expect } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { checkImport, importsOf, layerOf, packagesReached, valueImportsOf } from '../helpers/layering.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

function sources(dir: string): string[] {
  const abs = path.join(ROOT, dir);
  if (statSync(abs).isFile()) return [dir];
  return readdirSync(abs, { recursive: true, encoding: 'utf8' })
    .filter((f) => /\.(ts|tsx|mts)$/.test(f) && !f.includes('node_modules'))
    .map((f) => path.posix.join(dir, f.split(path.sep).join('/')));
}

describe('layering (DESIGN.md: renderer → shared ← main/core ← main/desktop, main/web, cli)', () => {
  const files = ['shared', 'renderer', 'main/core', 'main/web', 'main/desktop', 'main/cli.ts'].flatMap(sources);

  it('finds the source files of every layer', () => {
    for (const prefix of ['shared/', 'renderer/', 'main/core/', 'main/web/', 'main/desktop/']) {
      expect(files.some((f) => f.startsWith(prefix)), prefix).toBe(true);
    }
  });

  it('has no import that points the wrong way', () => {
    const violations = files.flatMap((f) => importsOf(readFileSync(path.join(ROOT, f), 'utf8')).map((s) => checkImport(f, s)).filter(Boolean));
    expect(violations).toEqual([]);
  });

  it('catches wrong-way imports', () => {
    expect(checkImport('shared/figures.ts', '../main/core/store/store.ts')).toMatch(/shared must not import core/);
    expect(checkImport('renderer/src/App.tsx', '../../main/core/live.ts')).toMatch(/renderer must not import core/);
    expect(checkImport('main/core/service.ts', 'electron')).toMatch(/core must not import package "electron"/);
    expect(checkImport('main/core/service.ts', '../web/server.ts')).toMatch(/core must not import web/);
    expect(checkImport('shared/api.ts', 'node:fs')).toMatch(/shared must not import package "node:"/);
    expect(checkImport('renderer/src/x.ts', 'node:path')).toMatch(/renderer/);
    expect(checkImport('main/desktop/main.ts', 'electron')).toBeNull();
    expect(checkImport('main/web/server.ts', '../core/service.ts')).toBeNull();
  });

  it('reads every import form', () => {
    const src = `import a from 'x';\nimport type { B } from "../y.ts";\nexport { c } from './z.ts';\nconst d = await import('electron');\nimport './side.css';\nconst e = require('fs');`;
    expect(importsOf(src).sort()).toEqual(['../y.ts', './side.css', './z.ts', 'electron', 'fs', 'x']);
    expect(layerOf('main/cli.ts')?.name).toBe('cli');
  });

  it('keeps the schema library out of the renderer and the preload (types only from shared/api.ts)', () => {
    const read = (f: string) => readFileSync(f, 'utf8');
    const renderer = [...packagesReached(ROOT, 'renderer/src/main.tsx', read)];
    expect(renderer).toContain('react');
    expect(renderer.filter((p) => !['react', 'react-dom', 'recharts', 'luxon'].includes(p))).toEqual([]);
    expect([...packagesReached(ROOT, 'main/desktop/preload.ts', read)]).toEqual(['electron']);
    // The check itself follows value imports and skips type-only ones.
    expect(valueImportsOf(`import type { A } from './a.ts';\nimport { type B } from './b.ts';\nimport { c } from './c.ts';\nexport type { D } from './d.ts';`)).toEqual(['./c.ts']);
  });
});
