// (4) History on a generated day (bench/lib/day.ts): through serve's HTTP API, as the History screen and
// the Export button use it.
// - shift view: POST /api/rpc/history {date, shift: 'A'}; the figure is the core's own computeMs (the
//   handler's time), the HTTP round trip with the JSON is shown beside it;
// - the whole History payload: the same for shift 'ALL' (the whole day), round trip incl. JSON;
// - the daily CSV and the stops CSV: GET /api/export/{daily,stops}.csv?date=, round trip incl. the bytes.
export interface HistoryResult {
  shift: { computeMs: number[]; httpMs: number[]; bytes: number };
  all: { computeMs: number[]; httpMs: number[]; bytes: number };
  csv: CsvTimes;
  stopsCsv: CsvTimes;
}

interface CsvTimes {
  httpMs: number[];
  bytes: number;
  rows: number;
}

async function timedJson(url: string, body: unknown): Promise<{ ms: number; bytes: number; json: { computeMs: number } }> {
  const t0 = performance.now();
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const text = await res.text();
  const ms = performance.now() - t0;
  if (!res.ok) throw new Error(`${url}: ${res.status} ${text.slice(0, 300)}`);
  return { ms, bytes: Buffer.byteLength(text), json: JSON.parse(text) as { computeMs: number } };
}

export async function runHistory(serveUrl: string, date: string, opts: { reps: number; csvReps: number; log: (s: string) => void }): Promise<HistoryResult> {
  const r: HistoryResult = { shift: { computeMs: [], httpMs: [], bytes: 0 }, all: { computeMs: [], httpMs: [], bytes: 0 }, csv: { httpMs: [], bytes: 0, rows: 0 }, stopsCsv: { httpMs: [], bytes: 0, rows: 0 } };
  const cal = await fetch(serveUrl + 'api/rpc/shiftCalendar', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ date }) });
  if (!cal.ok) throw new Error(`shiftCalendar: ${cal.status}`);
  const view = async (shift: string, reps: number, into: HistoryResult['shift'], label: string) => {
    for (let i = 0; i < reps; i++) {
      const a = await timedJson(serveUrl + 'api/rpc/history', { date, shift });
      into.computeMs.push(a.json.computeMs);
      into.httpMs.push(a.ms);
      into.bytes = a.bytes;
    }
    opts.log(`  ${label}: compute ${into.computeMs.map((x) => Math.round(x)).join(', ')} ms; HTTP ${into.httpMs.map((x) => Math.round(x)).join(', ')} ms; ${Math.round(into.bytes / 1024)} KiB`);
  };
  await view('A', opts.reps, r.shift, 'shift view (A)');
  await view('ALL', opts.csvReps, r.all, 'whole day (ALL)');
  const csv = async (kind: 'daily' | 'stops', into: CsvTimes) => {
    for (let i = 0; i < opts.csvReps; i++) {
      const t0 = performance.now();
      const res = await fetch(`${serveUrl}api/export/${kind}.csv?date=${date}`);
      const buf = Buffer.from(await res.arrayBuffer());
      into.httpMs.push(performance.now() - t0);
      if (!res.ok) throw new Error(`${kind}.csv: ${res.status} ${buf.toString().slice(0, 300)}`);
      into.bytes = buf.length;
      into.rows = buf.toString('utf8').split('\r\n').filter(Boolean).length - 1;
    }
    opts.log(`  ${kind} CSV: ${into.httpMs.map((x) => Math.round(x)).join(', ')} ms; ${into.rows} rows, ${into.bytes} bytes`);
  };
  await csv('daily', r.csv);
  await csv('stops', r.stopsCsv);
  return r;
}
