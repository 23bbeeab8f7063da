// What Settings stand on, over HTTP (issue 13): the running configuration, checks that name the field,
// the dates a past-dated version would change, a new token shown once and working at once, telemetry
// offered for adoption, a broker connection test in words, and saving back into serve's own file. Refusals,
// the summary of a change and the broker test are words (shared/words.ts) that the screens say in Chinese too.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';
import net from 'node:net';
import mqtt from 'mqtt';
import { addDays, localDate } from '../../shared/shifts.ts';
import { requireBinary, startMosquitto } from '../helpers/brokers.ts';
import { useTempDirs } from '../helpers/tmp.ts';
import { startServe, type Served } from '../helpers/serve.ts';
import { untilConnected } from '../fixtures/known-day.ts';
import { ENGLISH, WORD_KEYS, english, type Words } from '../../shared/words.ts';
import { translateWords } from '../../renderer/src/i18n.ts';

const tempDir = useTempDirs();
const hasMosquitto = requireBinary('mosquitto');
const sha = (t: string) => createHash('sha256').update(t).digest('hex');
const TZ = 'Asia/Chongqing';

/** English sentences of the catalogue, as their fixed text between placeholders (a few words or more). */
const ENGLISH_FRAGMENTS = [...new Set(WORD_KEYS.flatMap((k) => ENGLISH[k].split(/\{\w+\}/)).map((f) => f.trim()).filter((f) => /[a-z]{2,}\s+[a-z]{2,}/i.test(f)))];

/** Words the Chinese screen says in Chinese: every key known, none plain English text, no English template's sentence left. */
function expectChinese(w: Words): void {
  expect(JSON.stringify(w)).not.toContain('"key":"text"');
  const zh = translateWords('zh-CN', w);
  expect(zh, english(w)).toMatch(/[\u4e00-\u9fff]/);
  expect(ENGLISH_FRAGMENTS.filter((f) => zh.includes(f)), zh).toEqual([]);
}

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
    expect(bad.body.errors).toEqual([{ path: 'lines[0].targetTaktS', message: expect.stringMatching(/>0|positive|greater/), words: { key: 'problem.too_small', params: expect.any(Object) } }]);
    expect(bad.body).toMatchObject({ summary: '', summaryWords: [], config: null });
    const today = localDate(TZ, Date.now());
    const changed = { ...config, lines: [{ ...(config.lines as object[])[0], targetTaktS: 28 }] };
    const past = await post('checkConfig', { config: changed, effectiveFrom: addDays(today, -3) }, 'sup');
    expect(past.body).toMatchObject({ ok: true, summary: 'targetTaktS of pack-1: 30 → 28', reconnects: false });
    expect(past.body.summaryWords).toEqual([{ key: 'change.line_field', params: { field: 'targetTaktS', line: 'pack-1', from: '30', to: '28' } }]);
    // The configuration as the engine reads it: the schema's defaults filled in, for the form not to repeat them.
    expect(past.body.config.lines[0].targetTaktS).toBe(28);
    expect(past.body.config.alerts).toMatchObject({ downAfterS: 60, escalateAfterS: [0, 600, 1800] });
    expect(past.body.config.broker).toMatchObject({ keepaliveS: 10, topicPattern: 'factory/{site}/{line}/{station}/{event}' });
    // Only days with telemetry count: this database saw its first message today.
    expect(past.body.changedDates).toEqual([]);
    const moved = await post('checkConfig', { config: { ...config, broker: { ...(config.broker as object), url: 'mqtt://127.0.0.1:1' } } }, 'sup');
    expect(moved.body).toMatchObject({ ok: true, reconnects: true });
  });

  it('refuses a configuration with words for each field\'s problem, in English as before and in Chinese', async () => {
    const line = (config.lines as Record<string, unknown>[])[0];
    const bad = {
      ...config,
      timezone: 'Mars/Olympus',
      lines: [{ ...line, outputStation: 'nowhere', smallStopAfterS: 10 }, { ...line }],
      shifts: [{ name: 'ALL', start: '08:00', end: '20:00', breaks: [{ start: '21:00', end: '21:30' }] }],
      feeds: [{ from: 'pack-1', to: 'pack-1', perUnit: 1 }],
      calendar: { holidays: ['2026-10-01', '2026-10-01'] },
    };
    const checked = await post('checkConfig', { config: bad }, 'sup');
    expect(checked.body.ok).toBe(false);
    const problems = checked.body.errors as { path: string; message: string; words: Words }[];
    expect(problems.map((p) => `${p.path}: ${p.message}`)).toEqual([
      'timezone: unknown IANA timezone "Mars/Olympus"',
      'lines[0].smallStopAfterS: must be more than targetTaktS (30 s)',
      'lines[0].outputStation: "nowhere" is not one of the line\'s stations',
      'lines[1].id: duplicate line id "pack-1"',
      'shifts[0].name: "ALL" is reserved for the day row',
      'shifts[0].breaks[0]: break 21:00–21:30 is not inside shift 08:00–20:00',
      'feeds[0].to: a line cannot feed itself',
      'calendar.holidays[1]: 2026-10-01 is listed twice',
    ]);
    for (const p of problems) {
      expect(english(p.words)).toBe(p.message);
      expectChinese(p.words);
    }
    expect(problems.find((p) => p.path === 'lines[0].smallStopAfterS')?.words).toEqual({ key: 'config.more_than_takt', params: { value: '30' } });
    // Saving it is refused with the same problems: "path: message" for scripts, and the words.
    const applied = await post('applyConfig', { config: bad, effectiveFrom: localDate(TZ, Date.now()) }, 'sup');
    expect(applied.body).toEqual({ ok: false, errors: problems.map((p) => `${p.path}: ${p.message}`), problems });
  });

  it('tests a broker connection and says in words what the broker answered', async () => {
    const ok = await post('testBroker', { broker: config.broker }, 'sup');
    expect(ok.body).toEqual({
      ok: true,
      message: expect.stringMatching(/^connected to mqtt:\/\/127\.0\.0\.1:\d+ \(MQTT 5\) and subscribed to factory\/liangjiang\/\+\/\+\/\+ with QoS 1$/),
      words: { key: 'broker.test_connected', params: { url: broker.url, version: '5', topic: 'factory/liangjiang/+/+/+', qos: 1 } },
    });
    expect(english(ok.body.words)).toBe(ok.body.message);
    expectChinese(ok.body.words);
    // Nothing listens on port 1: refused by the system, its detail kept as sent.
    const wrong = await post('testBroker', { broker: { ...(config.broker as object), url: 'mqtt://127.0.0.1:1' } }, 'sup');
    expect(wrong.body).toMatchObject({ ok: false, message: expect.stringMatching(/^broker unreachable \(.*ECONNREFUSED.*\)$/), words: { key: 'broker.unreachable', params: { detail: expect.stringContaining('ECONNREFUSED') } } });
    expect(english(wrong.body.words)).toBe(wrong.body.message);
    expect(translateWords('zh-CN', wrong.body.words)).toMatch(/^无法连接消息代理（.*ECONNREFUSED.*）$/);
    // A TLS file that cannot be read: which one, and the system's code.
    const tls = await post('testBroker', { broker: { ...(config.broker as object), url: 'mqtts://127.0.0.1:8883', ca: path.join(dir, 'no-such-ca.pem') } }, 'sup');
    expect(tls.body).toMatchObject({ ok: false, words: { key: 'broker.tls_file', params: { field: 'ca', file: path.join(dir, 'no-such-ca.pem'), code: 'ENOENT' } } });
    expectChinese(tls.body.words);
    // Broker settings the schema refuses: the field and its problem, in words.
    const invalid = await post('testBroker', { broker: { ...(config.broker as object), url: 'http://127.0.0.1' } }, 'sup');
    expect(invalid.body).toMatchObject({ ok: false, message: 'broker.url: must be mqtt://, mqtts://, ws:// or wss://host[:port]', words: { key: 'refusal.field', params: { field: 'broker.url', problem: { key: 'config.broker_url' } } } });
    expectChinese(invalid.body.words);
    expect((await post('testBroker', { broker: config.broker }, 'view')).status).toBe(403);
  });

  it('says so in words when a broker accepts the connection and never answers', async () => {
    // A TCP port that takes the connection and stays silent, as a firewall that swallows MQTT or a wrong service does.
    const silent = net.createServer(() => {});
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    try {
      const url = `mqtt://127.0.0.1:${(silent.address() as net.AddressInfo).port}`;
      const t0 = Date.now();
      const r = await post('testBroker', { broker: { ...(config.broker as object), url } }, 'sup');
      expect(r.body.ok).toBe(false);
      expect(['broker.connect_timeout', 'broker.test_no_answer']).toContain(r.body.words.key);
      expect(english(r.body.words)).toBe(r.body.message);
      expectChinese(r.body.words);
      // It gave up by itself, after the test's own timeout, not the HTTP client's.
      expect(Date.now() - t0).toBeLessThan(15_000);
    } finally {
      silent.close();
    }
  }, 30_000);

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
    expect(saved.body).toMatchObject({ ok: true, versionId: null, reconnects: false, summary: 'no change to the figures (connection settings only)', summaryWords: [{ key: 'change.connection_only' }] });
    const file = JSON.parse(readFileSync(cfgFile, 'utf8'));
    expect(file.access.tokens.map((t: { name: string }) => t.name)).toEqual(['planner', 'wall', 'line-lead']);
    expect(JSON.stringify(file)).not.toContain(created.token);
    // The new operator token may write (an empty note clears a note), and is no supervisor.
    expect((await post('getConfig', {}, created.token)).body.editable).toBe(false);
    expect((await post('shiftNote', { date: localDate(TZ, Date.now()), shift: 'Day', line: 'pack-1', text: '' }, created.token)).status).not.toBe(401);
  });

  it('saves a version with the summary of its change in words, and the history has each version\'s words', async () => {
    const current = (await post('getConfig', {}, 'sup')).body.config;
    const next = { ...current, lines: [{ ...current.lines[0], targetTaktS: 29, stations: ['weld', 'leak', 'eol'] }] };
    const tomorrow = addDays(localDate(TZ, Date.now()), 1);
    const saved = await post('applyConfig', { config: next, effectiveFrom: tomorrow }, 'sup');
    const change: Words[] = [
      { key: 'change.line_field', params: { field: 'targetTaktS', line: 'pack-1', from: '30', to: '29' } },
      { key: 'change.stations_added', params: { line: 'pack-1', stations: 'leak' } },
    ];
    expect(saved.body).toMatchObject({ ok: true, versionId: expect.any(Number), summary: 'targetTaktS of pack-1: 30 → 29; stations added to pack-1: leak', summaryWords: change });
    for (const w of change) expectChinese(w);
    const history = (await post('configHistory', {})).body as { versions: { id: number; summary: string; summaryWords: Words[] }[] };
    expect(history.versions[0]).toMatchObject({ summary: 'first version: 1 line(s), 1 shift(s)', summaryWords: [{ key: 'change.first', params: { lines: 1, shifts: 1 } }] });
    expect(history.versions.at(-1)).toMatchObject({ id: saved.body.versionId, summaryWords: change });
  });
});
