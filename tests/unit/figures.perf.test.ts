// Times computeFigures on a full day of the 1 s battery-cell line. The time is printed, not asserted:
// the machine is shared, and the point is to see it stay well under 50 ms.
import { expect, it } from 'vitest';
import { demoConfig } from '../../shared/config.ts';
import { computeFigures, type CycleSample, type LineParams, type StateSample } from '../../shared/figures.ts';
import { shiftInstancesOfDate } from '../../shared/shifts.ts';

it('computes a full day of a 1 s line (86 400 units + 4 × 86 400 station cycles) quickly', () => {
  const config = demoConfig();
  const line: LineParams = { targetTaktS: 1, outputStation: 'grading', stations: ['coating', 'winding', 'assembly', 'formation', 'grading'] };
  const windows = shiftInstancesOfDate({ timezone: config.timezone, shifts: config.shifts }, '2026-03-10');
  const dayStart = windows[0].start;
  const cycles: CycleSample[] = [];
  // Interleaved by time as a query ordered by ts returns them: the station changes on every event.
  for (let i = 0; i < 86_400; i++) {
    const ts = dayStart + i * 1000 + 500;
    for (const station of line.stations) cycles.push({ station, ts, ok: i % 100 !== 0, cycleMs: 700 + ((i * 7) % 13) * 10 });
  }
  const states: StateSample[] = [];
  for (let h = 0; h < 24; h++) {
    states.push({ station: line.stations[h % 5], ts: dayStart + h * 3_600_000 + 60_000, state: 'down' });
    states.push({ station: line.stations[h % 5], ts: dayStart + h * 3_600_000 + 120_000, state: 'running' });
  }

  const times: number[] = [];
  let f = computeFigures(line, windows, cycles, states);
  for (let run = 0; run < 7; run++) {
    const t = performance.now();
    f = computeFigures(line, windows, cycles, states);
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  console.log(`computeFigures, full day of a 1 s line (${cycles.length} cycles, 3 shift windows): median ${times[3].toFixed(1)} ms, min ${times[0].toFixed(1)} ms`);

  // 3 shifts of 8 h less 30 min of break each; one unit per second, every hundredth rejected.
  expect([f.units, f.rejects, f.plannedS, f.targetUnits, f.meanTaktS, f.onTargetPct]).toEqual([86_400, 864, 81_000, 81_000, 1, 100]);
  // 24 stops of 60 s at hh:01; those at 10:01, 18:01 and 02:01 fall in a break: 21 × 60 s.
  expect(f.downtimeS).toBe(1260);
});
