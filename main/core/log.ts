// One logger per module, with levels; lines go to stderr so stdout stays clean for `export` and piping.
export type Level = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

let threshold: Level = (process.env.TAKTBOARD_LOG as Level) in ORDER ? (process.env.TAKTBOARD_LOG as Level) : 'info';
let sink: (line: string) => void = (line) => process.stderr.write(line + '\n');

export function setLogLevel(level: Level): void {
  threshold = level;
}

export function logLevel(): Level {
  return threshold;
}

/** Tests capture log lines by swapping the sink. */
export function setLogSink(fn: (line: string) => void): () => void {
  const prev = sink;
  sink = fn;
  return () => {
    sink = prev;
  };
}

export interface Logger {
  debug(msg: string, data?: Record<string, unknown>): void;
  info(msg: string, data?: Record<string, unknown>): void;
  warn(msg: string, data?: Record<string, unknown>): void;
  error(msg: string, data?: Record<string, unknown>): void;
}

export function logger(module: string): Logger {
  const write = (level: Level, msg: string, data?: Record<string, unknown>) => {
    if (ORDER[level] < ORDER[threshold]) return;
    const extra = data ? ' ' + JSON.stringify(data) : '';
    sink(`${new Date().toISOString()} ${level.toUpperCase().padEnd(5)} [${module}] ${msg}${extra}`);
  };
  return {
    debug: (m, d) => write('debug', m, d),
    info: (m, d) => write('info', m, d),
    warn: (m, d) => write('warn', m, d),
    error: (m, d) => write('error', m, d),
  };
}
