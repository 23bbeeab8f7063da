// Temporary folders for tests, removed after the test file that made them, also when a test failed.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const made = new Set<string>();
let exitHook = false;

// Under vitest, importing this module registers the cleanup on the importing file's suite (vitest collects
// hooks called while a file is being loaded); a vitest worker may be ended by a signal, so the exit hook alone
// is not enough. Playwright specs share the broker helpers, and there vitest's hooks do not exist.
const vitest = process.env.VITEST ? await import('vitest') : null;
vitest?.afterAll(() => removeAll([...made]));

function removeAll(dirs: Iterable<string>): void {
  for (const dir of dirs) {
    fs.rmSync(dir, { recursive: true, force: true });
    made.delete(dir);
  }
}

/** A fresh folder under the OS temp dir; safe to call anywhere (hooks, tests, describe bodies). */
export function tempDir(prefix = 'test'): string {
  if (!exitHook) {
    exitHook = true;
    process.once('exit', () => removeAll([...made]));
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `taktboard-${prefix}-`));
  made.add(dir);
  return dir;
}

/** Call at the top level of a test file: its folders go as soon as the file's tests are done. */
export function useTempDirs(): (prefix?: string) => string {
  const mine: string[] = [];
  if (!vitest) throw new Error('useTempDirs is for vitest test files; use tempDir elsewhere');
  vitest.afterAll(() => removeAll(mine));
  return (prefix) => {
    const dir = tempDir(prefix);
    mine.push(dir);
    return dir;
  };
}
