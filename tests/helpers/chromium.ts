// Chromium must be there in CI; a local run without it skips the browser tests and says so.
import { existsSync } from 'node:fs';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export function chromiumMissing(): string | null {
  if (existsSync(CHROMIUM)) return null;
  const why = `Chromium not found at ${CHROMIUM} (apt-get install -y chromium)`;
  if (process.env.CI) throw new Error(`${why}: the e2e tests cannot run in CI without it`);
  console.warn(`SKIPPED e2e tests locally: ${why}`);
  return why;
}
