// Where the first token comes from (CONTRACT §6.2): `taktboard token` for a plant's configuration file,
// and the demo's own operator and supervisor tokens, printed at start, so its writes can be tried.
import { describe, it, expect, afterEach } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import path from 'node:path';
import { tempDir } from '../helpers/tmp.ts';
import { startServe, type Served } from '../helpers/serve.ts';
import { waitFor } from '../helpers/wait.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const run = promisify(execFile);
const taktboard = (...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> =>
  run(process.execPath, [path.join(ROOT, 'bin/taktboard.mjs'), ...args]).then(
    (r) => ({ code: 0, ...r }),
    (e) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );

const plant = {
  site: 'yibin',
  lines: [{ id: 'pack-7', name: '模组线 7', targetTaktS: 2, outputStation: 'eol', stations: ['stack', 'eol'] }],
  shifts: [{ name: 'Day', start: '00:00', end: '00:00' }],
};

/** The token is the line after "shown only now:". */
const tokenIn = (stdout: string) => /shown only now:\n(\S+)\n/.exec(stdout)![1];

async function whoAmI(url: string, token: string) {
  const res = await fetch(`${url}api/rpc/whoAmI`, { method: 'POST', body: '{}', headers: { Authorization: `Bearer ${token}` } });
  return { status: res.status, body: await res.json() };
}

describe('taktboard token', () => {
  let served: Served | undefined;
  afterEach(async () => {
    if (served) expect(await served.stop()).toBe(0);
    served = undefined;
  });

  it('adds a token to the configuration file as its hash only, and serve then knows its role', async () => {
    const dir = tempDir('token-cli');
    const file = path.join(dir, 'plant.json');
    writeFileSync(file, JSON.stringify(plant));
    const made = await taktboard('token', '--name', 'line-7 operators', '--role', 'operator', '--config', file);
    expect(made.code).toBe(0);
    const token = tokenIn(made.stdout);
    const written = JSON.parse(readFileSync(file, 'utf8'));
    // Only the entry is added: the rest of the file stays as the integrator wrote it, no defaults filled in.
    expect(written).toEqual({ ...plant, access: { tokens: [{ name: 'line-7 operators', role: 'operator', sha256: createHash('sha256').update(token).digest('hex') }] } });
    expect(readFileSync(file, 'utf8')).not.toContain(token);

    served = await startServe(['--config', file, '--db', path.join(dir, 'plant.sqlite'), '--broker', 'mqtt://127.0.0.1:9']);
    expect(await whoAmI(served.url, token)).toEqual({ status: 200, body: { who: 'line-7 operators', role: 'operator' } });
    expect((await whoAmI(served.url, token + 'x')).status).toBe(401);
  });

  it('refuses a bad role or a name already in use, and leaves the file as it was', async () => {
    const dir = tempDir('token-cli-bad');
    const file = path.join(dir, 'plant.json');
    writeFileSync(file, JSON.stringify(plant));
    const badRole = await taktboard('token', '--name', 'x', '--role', 'admin', '--config', file);
    expect(badRole.code).toBe(2);
    expect(badRole.stderr).toMatch(/--role must be viewer, operator, supervisor, got "admin"/);
    expect((await taktboard('token', '--name', 'shift lead', '--role', 'supervisor', '--config', file)).code).toBe(0);
    const before = readFileSync(file, 'utf8');
    const again = await taktboard('token', '--name', 'shift lead', '--role', 'operator', '--config', file);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/duplicate token name "shift lead"/);
    expect(readFileSync(file, 'utf8')).toBe(before);
    // Without a file it prints the entry to add.
    const loose = await taktboard('token', '--name', 'wall', '--role', 'viewer');
    expect(loose.code).toBe(0);
    const entry = JSON.parse(loose.stdout.trim().split('\n').at(-1)!);
    expect(entry).toEqual({ name: 'wall', role: 'viewer', sha256: createHash('sha256').update(tokenIn(loose.stdout)).digest('hex') });
  });

  it('the demo prints an operator and a supervisor token of its own', async () => {
    served = await startServe(['--db', path.join(tempDir('token-demo'), 'demo.sqlite'), '--backfill', '1m']);
    await waitFor('the demo tokens are printed', () => /Demo supervisor token/.test(served!.output()));
    const tokens = Object.fromEntries([...served.output().matchAll(/Demo (\w+) token [^:]*: (\S+)/g)].map((m) => [m[1], m[2]]));
    expect(Object.keys(tokens).sort()).toEqual(['operator', 'supervisor']);
    expect(await whoAmI(served.url, tokens.operator)).toEqual({ status: 200, body: { who: 'demo-operator', role: 'operator' } });
    expect(await whoAmI(served.url, tokens.supervisor)).toEqual({ status: 200, body: { who: 'demo-supervisor', role: 'supervisor' } });
  });
});
