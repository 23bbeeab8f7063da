// Writes generated history (bench/lib/day.ts) in its own process, so the bench can run it while it
// measures something that does not depend on CPU (serve's memory), and reports what it wrote.
//   gen-day.ts <db file> <date> [day|month]
import { setLogLevel } from '../../main/core/log.ts';
import { dayConfig, generateDay, generateMonth } from '../lib/day.ts';

const [file, date, kind = 'day'] = process.argv.slice(2);
if (!file || !date || !['day', 'month'].includes(kind) || !process.send) {
  console.error('usage: forked by bench/run.ts with <db file> <date> [day|month]');
  process.exit(2);
}
// The commits of a day in 15-minute transactions are "slow queries" by design; keep stderr for real trouble.
setLogLevel('error');
process.on('message', (m: { type: string }) => {
  if (m.type === 'run') {
    try {
      const info = kind === 'month' ? generateMonth(file, date) : generateDay(file, dayConfig('mqtt://127.0.0.1:1883'), date);
      process.send!({ type: 'generated', info });
    } catch (e) {
      process.send!({ type: 'error', message: String((e as Error).stack ?? e) });
    }
  } else if (m.type === 'stop') process.exit(0);
});
process.on('disconnect', () => process.exit(0));
process.send({ type: 'ready' });
