// The dependency rules of DESIGN.md as data, and a checker the layering test runs over every source file.
import path from 'node:path';

export interface Layer {
  name: string;
  /** Path prefix relative to the repo root. */
  prefix: string;
  /** Layers this one may import from (itself included). */
  may: string[];
  /** Bare package names this layer may import ('node:' builtins are listed as 'node:'). */
  packages: string[];
}

export const LAYERS: Layer[] = [
  { name: 'shared', prefix: 'shared/', may: ['shared'], packages: ['zod', 'luxon'] },
  { name: 'renderer', prefix: 'renderer/', may: ['renderer', 'shared'], packages: ['react', 'react-dom', 'recharts'] },
  { name: 'core', prefix: 'main/core/', may: ['core', 'shared'], packages: ['node:', 'better-sqlite3', 'mqtt', 'mqtt-packet', 'aedes', 'ws', 'zod', 'luxon', 'sparkplug-payload'] },
  { name: 'web', prefix: 'main/web/', may: ['web', 'core', 'shared'], packages: ['node:', 'ws'] },
  { name: 'desktop', prefix: 'main/desktop/', may: ['desktop', 'core', 'shared'], packages: ['node:', 'electron'] },
  { name: 'cli', prefix: 'main/cli.ts', may: ['cli', 'core', 'web', 'shared'], packages: ['node:', 'vite'] },
];

export function layerOf(relFile: string): Layer | undefined {
  return LAYERS.find((l) => relFile === l.prefix || relFile.startsWith(l.prefix));
}

const IMPORT_RE = /(?:^|[\s;])(?:import|export)\s+(?:type\s+)?(?:[\w*{}\s,$]+\s+from\s+)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|require\(\s*['"]([^'"]+)['"]\s*\)/g;

export function importsOf(source: string): string[] {
  const out: string[] = [];
  for (const m of source.matchAll(IMPORT_RE)) out.push(m[1] ?? m[2] ?? m[3]);
  return out;
}

function packageName(spec: string): string {
  if (spec.startsWith('node:')) return 'node:';
  const parts = spec.split('/');
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** Null when the import is allowed, else a sentence naming the rule it breaks. */
export function checkImport(relFile: string, spec: string): string | null {
  const from = layerOf(relFile);
  if (!from) return null;
  if (spec.startsWith('.')) {
    const target = path.posix.normalize(path.posix.join(path.posix.dirname(relFile), spec));
    const to = layerOf(target);
    if (!to) return `${relFile} imports ${spec}, which is outside every layer`;
    return from.may.includes(to.name) ? null : `${from.name} must not import ${to.name}: ${relFile} → ${spec}`;
  }
  const pkg = packageName(spec);
  return from.packages.includes(pkg) ? null : `${from.name} must not import package "${pkg}": ${relFile}`;
}

const FROM_RE = /(?:^|[\s;])(?:import|export)\s+(type\s+)?([\w*{}\s,$]+?)\s+from\s+['"]([^'"]+)['"]/g;
const BARE_RE = /(?:^|[\s;])import\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

/** Imports that stay in the compiled code: `import type`, `export type` and all-`type` name lists are erased. */
export function valueImportsOf(source: string): string[] {
  const out: string[] = [];
  for (const m of source.matchAll(FROM_RE)) {
    if (m[1]) continue;
    const names = /^\{([^}]*)\}$/.exec(m[2].trim())?.[1];
    if (names !== undefined && names.split(',').every((n) => !n.trim() || /^type\s/.test(n.trim()))) continue;
    out.push(m[3]);
  }
  for (const m of source.matchAll(BARE_RE)) out.push(m[1] ?? m[2]);
  return out;
}

/** Every package the code reachable from `entry` (relative to `root`) loads at run time, by value imports. */
export function packagesReached(root: string, entry: string, read: (file: string) => string): Set<string> {
  const seen = new Set<string>();
  const packages = new Set<string>();
  const todo = [entry];
  while (todo.length) {
    const file = todo.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const spec of valueImportsOf(read(path.posix.join(root, file)))) {
      if (spec.startsWith('.')) {
        const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), spec));
        if (/\.(ts|tsx)$/.test(target)) todo.push(target);
      } else packages.add(packageName(spec));
    }
  }
  return packages;
}
