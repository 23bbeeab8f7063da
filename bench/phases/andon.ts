// (9) What the andon costs the engine (issue 11: "alert evaluation adds < 5 % to the engine's CPU at 10 000
// msg/s"). `taktboard serve` with the bench plant (10 lines × 5 stations, bench/lib/plant.ts), its own
// mosquitto and publisher (bench/children/publisher.ts) at 10 000 msg/s, and alert thresholds short enough
// that the evaluation does real work while it is measured: two stations report `down` and stay down (their
// alerts open after 2 s and rise a level at 10 s and 30 s), a third goes down and back up every 10 s (its
// alert opens and closes by itself). Over the same interval:
// - serve's CPU: utime + stime of its process (/proc/<pid>/stat: the engine thread, its read workers, GC);
// - the andon's evaluations from Diagnostics (`engine.andon`, read at both ends): the engine measures each one
//   on its thread — the live snapshot it evaluates, the causes, the store writes of what changed — as the
//   thread's CPU time (process.threadCpuUsage) and as wall time.
// Figure: the evaluations' CPU ms per second / serve's CPU ms per second, goal < 5 %; the same with their wall
// time beside it (on a machine busy with other work wall time also counts time the thread waited for a core,
// so it overstates them), and µs per evaluation. Nobody else asks serve for a snapshot meanwhile (no
// WebSocket viewer, no /api/live poll): every one it computes is the andon's.
// What one evaluation costs grows while the live view's windows fill: the rolling takt looks at the last 60 s
// of output units, the sparkline at 30 min, and this plant's lines each make 200 units a second (10 000 msg/s
// over 50 stations of 1 s lines). So the interval is also cut in windows of 10 s, each with its own share and
// µs per evaluation, and the figure's detail lists them.
//
//   npm run bench -- --only=andon          (or: node bench/phases/andon.ts [--quick] on its own)
import path from 'node:path';
import Database from 'better-sqlite3';
import mqtt, { type MqttClient } from 'mqtt';
import type { Diagnostics } from '../../shared/api.ts';
import { LINES, SITE, STATIONS, lineIds, writeConfig } from '../lib/plant.ts';
import { cpuSecondsOf, forkChild, killAllSync, removeTempDir, sleep, startMosquitto, startServe, tempDir, type Child, type Mosquitto, type Serve } from '../lib/procs.ts';
import { fmt, type Figure } from '../lib/report.ts';
import { diagnostics } from './heavy-reads.ts';

/** Short thresholds: alerts open 2 s after a station goes down and rise a level 10 s and 30 s after opening. */
export const ANDON_ALERTS = { downAfterS: 2, escalateAfterS: [0, 10, 30] };
/** Stations that go down at the start of the measurement and stay down. */
const HELD_DOWN = [
  { line: lineIds[0], station: STATIONS[0] },
  { line: lineIds[1], station: STATIONS[1] },
];
/** A station down for 6 s, then running for 4 s, over and over: its alert opens and closes. */
const TOGGLING = { line: lineIds[2], station: STATIONS[2], downMs: 6000, upMs: 4000 };
const WINDOW_S = 10;

export interface AndonResult {
  rate: number;
  /** The measured interval, s. */
  seconds: number;
  serveCpuMs: number;
  /** Evaluation wall time over the interval (Diagnostics' engine.andon.totalMs at its end − at its start). */
  andonMs: number;
  /** The engine thread's CPU time in them (engine.andon.cpuMs), or null where serve cannot tell. */
  andonCpuMs: number | null;
  evaluations: number;
  /** The slowest evaluation since serve started (warm-up included). */
  maxMs: number;
  /** andonCpuMs (or, without it, andonMs) / serveCpuMs. */
  share: number;
  wallShare: number;
  /** CPU µs per evaluation (wall µs without a CPU figure), and wall µs. */
  usPerEvaluation: number;
  wallUsPerEvaluation: number;
  /** The same over consecutive windows of the interval (WINDOW_S each), from its start. */
  windows: { fromS: number; toS: number; share: number; usPerEvaluation: number }[];
  storedPerS: number;
  published: number;
  alerts: { opened: number; closed: number; highestLevel: number; openAtEnd: { kind: string; line: string; station: string | null; level: number }[] };
}

/** `nodeArgs`: for serve's node (bench --profile: --cpu-prof). */
export async function runAndon(opts: { rate: number; seconds: number; warmupS: number; nodeArgs?: string[]; log: (s: string) => void }): Promise<AndonResult> {
  const dir = tempDir('andon');
  let mq: Mosquitto | null = null;
  let pub: Child | null = null;
  let serve: Serve | null = null;
  let states: MqttClient | null = null;
  try {
    mq = await startMosquitto();
    pub = await forkChild('publisher.ts', [mq.url, `bench-pub-andon-${process.pid}`]);
    const config = writeConfig(dir, { clientId: `taktboard-bench-andon-${process.pid}`, brokerUrl: mq.url, extra: { alerts: ANDON_ALERTS } });
    serve = await startServe({ config, db: path.join(dir, 'serve.sqlite'), broker: mq.url, nodeArgs: opts.nodeArgs });
    const url = serve.url;
    for (const until = performance.now() + 30_000; (await diagnostics(url)).broker.status !== 'connected'; ) {
      if (performance.now() > until) throw new Error('serve did not connect to its broker in 30 s');
      await sleep(200);
    }

    // Telemetry at the rate for the whole phase (halted at the end).
    const runId = 900_000 + Math.floor(Math.random() * 1000);
    const durationMs = (opts.warmupS + opts.seconds + 10) * 1000;
    const published = pub.next<{ published: number; acked: number }>((m) => m.type === 'done' && m.id === runId, durationMs + 60_000);
    pub.send({ type: 'run', id: runId, site: SITE, rate: opts.rate, durationMs, maxInflight: 5000, ts: { mode: 'now' } });
    states = await mqtt.connectAsync(mq.url, { clientId: `bench-andon-states-${process.pid}`, protocolVersion: 5, reconnectPeriod: 0 });
    const boot = `bench-andon-${process.pid}`;
    const seqs = new Map<string, number>();
    const state = (s: { line: string; station: string }, value: 'down' | 'running') => {
      const k = `${s.line}/${s.station}`;
      const seq = seqs.get(k) ?? 0;
      seqs.set(k, seq + 1);
      const reason = value === 'down' ? ',"reason":"JAM"' : '';
      return states!.publishAsync(`factory/${SITE}/${s.line}/${s.station}/state`, `{"ts":${Date.now()},"seq":${seq},"boot":"${boot}","state":"${value}"${reason}}`, { qos: 1 });
    };
    await sleep(opts.warmupS * 1000);

    const take = async () => {
      const d: Diagnostics = await diagnostics(url);
      return { d, cpu: cpuSecondsOf(serve!.pid), at: performance.now() };
    };
    const a = await take();
    const samples = [a];
    const wallStart = Date.now();
    for (const s of HELD_DOWN) await state(s, 'down');
    let toggledDown = true;
    let toggledAt = performance.now();
    await state(TOGGLING, 'down');
    while (performance.now() - a.at < opts.seconds * 1000) {
      const now = performance.now();
      if (now - toggledAt >= (toggledDown ? TOGGLING.downMs : TOGGLING.upMs)) {
        toggledDown = !toggledDown;
        toggledAt = now;
        await state(TOGGLING, toggledDown ? 'down' : 'running');
      }
      if (now - samples[samples.length - 1].at >= WINDOW_S * 1000 && now - a.at < (opts.seconds - WINDOW_S / 2) * 1000) samples.push(await take());
      await sleep(100);
    }
    const b = await take();
    samples.push(b);
    pub.send({ type: 'halt' });
    const done = await published;

    const seconds = (b.at - a.at) / 1000;
    const serveCpuMs = (b.cpu - a.cpu) * 1000;
    const andonMs = b.d.engine.andon.totalMs - a.d.engine.andon.totalMs;
    const andonCpuMs = a.d.engine.andon.cpuMs === null || b.d.engine.andon.cpuMs === null ? null : b.d.engine.andon.cpuMs - a.d.engine.andon.cpuMs;
    const evaluations = b.d.engine.andon.evaluations - a.d.engine.andon.evaluations;
    const db = new Database(serve.dbPath, { readonly: true, fileMustExist: true });
    let alerts: AndonResult['alerts'];
    try {
      const count = (sql: string) => db.prepare(sql).pluck().get(wallStart) as number;
      alerts = {
        opened: count('SELECT COUNT(*) FROM andon_alerts WHERE opened_at >= ?'),
        closed: count('SELECT COUNT(*) FROM andon_alerts WHERE closed_at >= ?'),
        highestLevel: count('SELECT COALESCE(MAX(level), 0) FROM andon_alerts WHERE opened_at >= ?'),
        openAtEnd: db.prepare('SELECT kind, line, station, level FROM andon_alerts WHERE closed_at IS NULL ORDER BY id').all() as AndonResult['alerts']['openAtEnd'],
      };
    } finally {
      db.close();
    }
    if (alerts.opened === 0) throw new Error(`no alert opened while measured: the evaluation did no real work (${JSON.stringify(b.d.engine.andon)})`);
    const cpuOf = (d: Diagnostics) => d.engine.andon.cpuMs ?? d.engine.andon.totalMs;
    const windows = samples.slice(1).map((s, i) => {
      const p = samples[i];
      const evals = s.d.engine.andon.evaluations - p.d.engine.andon.evaluations;
      const ms = cpuOf(s.d) - cpuOf(p.d);
      return { fromS: (p.at - a.at) / 1000, toS: (s.at - a.at) / 1000, share: ms / ((s.cpu - p.cpu) * 1000), usPerEvaluation: (1000 * ms) / evals };
    });
    const r: AndonResult = {
      rate: opts.rate,
      seconds,
      serveCpuMs,
      andonMs,
      andonCpuMs,
      evaluations,
      maxMs: b.d.engine.andon.maxMs,
      share: (andonCpuMs ?? andonMs) / serveCpuMs,
      wallShare: andonMs / serveCpuMs,
      usPerEvaluation: (1000 * (andonCpuMs ?? andonMs)) / evaluations,
      wallUsPerEvaluation: (1000 * andonMs) / evaluations,
      windows,
      storedPerS: (b.d.counters.stored - a.d.counters.stored) / seconds,
      published: done.published,
      alerts,
    };
    opts.log(
      `  andon: ${evaluations} evaluations in ${seconds.toFixed(1)} s: CPU ${andonCpuMs === null ? 'not told' : `${andonCpuMs.toFixed(1)} ms`}, wall ${andonMs.toFixed(1)} ms (${r.usPerEvaluation.toFixed(0)} / ${r.wallUsPerEvaluation.toFixed(0)} µs each, slowest since start ${r.maxMs.toFixed(2)} ms) ` +
        `of serve's ${Math.round(serveCpuMs)} ms CPU (${(serveCpuMs / seconds / 1000).toFixed(2)} cores): ${(100 * r.share).toFixed(2)} % (wall ${(100 * r.wallShare).toFixed(2)} %); ${Math.round(r.storedPerS)} msg/s stored; ` +
        `alerts opened ${alerts.opened}, closed ${alerts.closed}, highest level ${alerts.highestLevel}; by ${WINDOW_S} s: ${describeWindows(windows)}`,
    );
    return r;
  } finally {
    await states?.endAsync().catch(() => undefined);
    await pub?.stop();
    await serve?.stop();
    await mq?.stop();
    removeTempDir(dir);
  }
}

const describeWindows = (ws: AndonResult['windows']) => ws.map((w) => `${Math.round(w.fromS)}–${Math.round(w.toS)} s ${(100 * w.share).toFixed(1)} % (${fmt(w.usPerEvaluation)} µs)`).join(', ');

export function andonFigures(x: AndonResult): Figure[] {
  const per = (ms: number) => fmt(ms / x.seconds, 'ms/s');
  const cpu = x.andonCpuMs !== null;
  // A machine too busy to publish and store the rate measures another load: said, and no pass or fail.
  const atRate = x.storedPerS >= 0.9 * x.rate;
  return [
    {
      id: 'andon.cpu_share',
      section: '9',
      name: `Andon: alert evaluation${cpu ? ' (engine thread CPU)' : ' (wall time: serve tells no thread CPU)'} / serve's CPU at ${fmt(x.rate)} msg/s, ${LINES} lines, alerts opening, rising and closing`,
      value: 100 * x.share,
      unit: '%',
      shown: `${(100 * x.share).toFixed(2)} % (${per(x.andonCpuMs ?? x.andonMs)} of ${per(x.serveCpuMs)})`,
      goal: atRate ? { op: '<', target: 5, unit: '%' } : undefined,
      ratio: `${atRate ? `${(x.share / 0.05).toFixed(2)}× goal` : `not at the rate (only ${fmt(x.storedPerS)} msg/s stored: the machine was busy), no verdict`}; wall time ${(100 * x.wallShare).toFixed(2)} % (${per(x.andonMs)}); serve ${(x.serveCpuMs / x.seconds / 1000).toFixed(2)} cores, ${fmt(x.storedPerS)} msg/s stored`,
      detail: `${x.evaluations} evaluations over ${x.seconds.toFixed(1)} s, by window (share, CPU per evaluation) as the live view's windows fill: ${describeWindows(x.windows)}; alerts opened ${x.alerts.opened}, closed ${x.alerts.closed}, highest level ${x.alerts.highestLevel}; open at the end: ${x.alerts.openAtEnd.map((a) => `${a.kind} ${a.line}/${a.station ?? '—'} L${a.level}`).join(', ') || 'none'}; ${fmt(x.published)} messages published`,
    },
    {
      id: 'info.andon_evaluation',
      section: '9',
      name: `Andon: one evaluation on the engine thread (live snapshot, causes, store writes of the changes), ${cpu ? 'CPU / wall' : 'wall'}`,
      value: x.usPerEvaluation,
      unit: 'µs',
      shown: cpu ? `${fmt(x.usPerEvaluation)} / ${fmt(x.wallUsPerEvaluation, 'µs')}` : fmt(x.wallUsPerEvaluation, 'µs'),
      ratio: `slowest since serve started ${fmt(x.maxMs, 'ms')} (wall)`,
    },
  ];
}

// On its own: node bench/phases/andon.ts [--quick] [--seconds=N] [--cpu-prof-dir=DIR]
if (import.meta.filename === process.argv[1] || process.argv[1]?.endsWith('bench/phases/andon.ts')) {
  const quick = process.argv.includes('--quick');
  process.on('exit', killAllSync);
  const prof = process.argv.find((a) => a.startsWith('--cpu-prof-dir='));
  const seconds = Number(process.argv.find((a) => a.startsWith('--seconds='))?.slice('--seconds='.length) ?? (quick ? 20 : 60));
  const r = await runAndon({ rate: 10_000, seconds, warmupS: 5, nodeArgs: prof ? ['--cpu-prof', '--cpu-prof-dir', prof.slice('--cpu-prof-dir='.length)] : undefined, log: (s) => console.error(s) });
  for (const f of andonFigures(r)) console.log(`${f.name}: ${f.shown ?? fmt(f.value, f.unit)}${f.ratio ? ` (${f.ratio})` : ''}`);
  process.exit(0);
}
