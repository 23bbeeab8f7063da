// What Settings stand on, over HTTP (issue 13): the running configuration, checks that name the field,
// the dates a past-dated version would change, a new token shown once and working at once, telemetry
// offered for adoption, a broker connection test in words, and saving back into serve's own file.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';
import mqtt from 'mqtt';
import { addDays, localDate } from '../../shared/shifts.ts';
import { requireBinary, startMosquitto } from '../helpers/brokers.ts';
import { useTempDirs } from '../helpers/tmp.ts';
import { startServe, type Served } from '../helpers/serve.ts';
import { untilConnected } from '../fixtures/known-day.ts';

const tempDir = useTempDirs();
const hasMosquitto = requireBinary('mosquitto');
const sha = (t: string) => createHash('sha256').update(t).digest('hex');
const TZ = 'Asia/Chongqing';

describe.skipIf(!hasMosquitto)('the Settings API', () => {
  const dir = tempDir('settings-api');
  const cfgFile = path.join(dir, 'plant.json');
  let broker: Awaited<ReturnType<typeof startMosquitto>>;
  let served: Served;
  let config: Record<string, unknown>;
  const post = async (name: string, body: unknown, token?: string) => {
    const r = await fetch(`${served.url}api/rpc/${name}`, { method: 'POST', body: JSON.stringify(body), headers: token ? { Authorization: `Bearer ${token}` } : {} });
    return { status: r.status, body: await r.json() };
  };

  beforeAll(async () => {
    broker = await startMosquitto();
    config = {
      site: 'liangjiang',
      timezone: TZ,
      broker: { url: broker.url, clientId: 'taktboard-it-settings', protocolVersion: 5 },
      lines: [{ id: 'pack-1', name: 'Pack line 1', targetTaktS: 30, outputStation: 'eol', stations: ['weld', 'eol'] }],
      shifts: [{ name: 'Day', start: '08:00', end: '20:00' }],
      access: { tokens: [{ name: 'planner', role: 'supervisor', sha256: sha('sup') }, { name: 'wall', role: 'viewer', sha256: sha('view') }] },
    };
    writeFileSync(cfgFile, JSON.stringify(config));
    served = await startServe(['--config', cfgFile, '--db', path.join(dir, 'plant.sqlite')]);
    await untilConnected(served.url);
  }, 60_000);
  afterAll(async () => {
    await served?.stop();
    await broker?.stop();
  });

  it('shows the running configuration, editable to a supervisor only', async () => {
    const asViewer = await post('getConfig', {}, 'view');
    expect(asViewer.body).toMatchObject({ editable: false, persisted: true, demo: false });
    expect(asViewer.body.config.lines[0]).toEqual({ id: 'pack-1', name: 'Pack line 1', targetTaktS: 30, outputStation: 'eol', stations: ['weld', 'eol'] });
    const asSupervisor = await post('getConfig', {}, 'sup');
    expect(asSupervisor.body.editable).toBe(true);
    // Defaults are filled in, so a form shows every field.
    expect(asSupervisor.body.config.alerts).toMatchObject({ downAfterS: 60, escalateAfterS: [0, 600, 1800] });
  });

  it('checks a configuration with the engine schema, naming the field, and tells which past days would change', async () => {
    const bad = await post('checkConfig', { config: { ...config, lines: [{ ...(config.lines as object[])[0], targetTaktS: -1 }] } }, 'sup');
    expect(bad.body.ok).toBe(false);
    expect(bad.body.errors).toEqual([{ path: 'lines[0].targetTaktS', message: expect.stringMatching(/>0|positive|greater/) }]);
    const today = localDate(TZ, Date.now());
    const changed = { ...config, lines: [{ ...(config.lines as object[])[0], targetTaktS: 28 }] };
    const past = await post('checkConfig', { config: changed, effectiveFrom: addDays(today, -3) }, 'sup');
    expect(past.body).toMatchObject({ ok: true, summary: 'targetTaktS of pack-1: 30 → 28', reconnects: false });
    // Only days with telemetry count: this database saw its first message today.
    expect(past.body.changedDates).toEqual([]);
    const moved = await post('checkConfig', { config: { ...config, broker: { ...(config.broker as object), url: 'mqtt://127.0.0.1:1' } } }, 'sup');
    expect(moved.body).toMatchObject({ ok: true, reconnects: true });
  });

  it('tests a broker connection and says what the broker answered', async () => {
    const ok = await post('testBroker', { broker: config.broker }, 'sup');
    expect(ok.body).toEqual({ ok: true, words: expect.stringMatching(/^connected to mqtt:\/\/127\.0\.0\.1:\d+ \(MQTT 5\) and subscribed to factory\/liangjiang\/\+\/\+\/\+ with QoS 1$/) });
    const wrong = await post('testBroker', { broker: { ...(config.broker as object), url: 'mqtt://127.0.0.1:1' } }, 'sup');
    expect(wrong.body.ok).toBe(false);
    expect(wrong.body.words).toMatch(/unreachable|refused/);
    expect((await post('testBroker', { broker: config.broker }, 'view')).status).toBe(403);
  });

  it('offers telemetry the configuration does not cover, with a suggested output and takt', async () => {
    const pub = await mqtt.connectAsync(broker.url, { clientId: 'settings-pub', protocolVersion: 5 });
    const t0 = Date.now() - 20 * 30_000;
    for (let i = 0; i < 20; i++) {
      await pub.publishAsync('factory/liangjiang/pack-2/load/cycle', JSON.stringify({ ts: t0 + i * 30_000 - 5_000, seq: 2 * i }), { qos: 1 });
      await pub.publishAsync('factory/liangjiang/pack-2/test/cycle', JSON.stringify({ ts: t0 + i * 30_000, seq: 2 * i + 1 }), { qos: 1 });
    }
    await pub.publishAsync('factory/liangjiang/pack-1/leak/cycle', JSON.stringify({ ts: Date.now(), seq: 0 }), { qos: 1 });
    await pub.endAsync();
    let hints: { line: string; station: string | null }[] = [];
    for (let i = 0; i < 50 && hints.length < 2; i++) {
      await new Promise((r) => setTimeout(r, 100));
      hints = (await post('adoptionHints', {})).body;
    }
    expect(hints).toEqual(
      expect.arrayContaining([
        { line: 'pack-1', station: 'leak', stations: ['leak'], lastSeen: expect.any(Number), messages: 1, medianIntervalS: null },
        { line: 'pack-2', station: null, stations: ['load', 'test'], lastSeen: expect.any(Number), messages: 40, medianIntervalS: 30 },
      ]),
    );
  });

  it('creates a token shown once, saves it as its hash into serve\'s file, and the token works at once', async () => {
    const { body: created } = await post('createToken', {}, 'sup');
    expect(created.token).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(created.sha256).toBe(sha(created.token));
    const current = (await post('getConfig', {}, 'sup')).body.config;
    const next = { ...current, access: { tokens: [...current.access.tokens, { name: 'line-lead', role: 'operator', sha256: created.sha256 }] } };
    const saved = await post('applyConfig', { config: next, effectiveFrom: localDate(TZ, Date.now()) }, 'sup');
    expect(saved.body).toMatchObject({ ok: true, versionId: null, reconnects: false });
    const file = JSON.parse(readFileSync(cfgFile, 'utf8'));
    expect(file.access.tokens.map((t: { name: string }) => t.name)).toEqual(['planner', 'wall', 'line-lead']);
    expect(JSON.stringify(file)).not.toContain(created.token);
    // The new operator token may write (an empty note clears a note), and is no supervisor.
    expect((await post('getConfig', {}, created.token)).body.editable).toBe(false);
    expect((await post('shiftNote', { date: localDate(TZ, Date.now()), shift: 'Day', line: 'pack-1', text: '' }, created.token)).status).not.toBe(401);
  });
});
