// The adapters' remembered state, read into memory once and written back in the transaction of the
// events it goes with: a row changed while a batch is handled is written at the batch's end (endBatch),
// inside the same group commit; when that commit fails, memory is read again from the file, so a retried
// batch starts from exactly what is stored and derives the same events (the same identities) again.
import type { Statement } from 'better-sqlite3';
import type { Db } from '../../store/db.ts';

type Run = Statement<unknown[]>;

/** JSON rows keyed by (input, key) in input_sources or input_nodes. */
export class KeyedRows<T> {
  private readonly rows = new Map<string, T>();
  private readonly dirty = new Set<string>();
  private readonly select: Run;
  private readonly upsert: Run;
  private readonly input: string;

  constructor(db: Db, table: 'input_sources' | 'input_nodes', input: string) {
    const key = table === 'input_sources' ? 'source' : 'node';
    this.input = input;
    this.select = db.prepare(`SELECT ${key}, state FROM ${table} WHERE input = ?`);
    this.upsert = db.prepare(
      `INSERT INTO ${table} (input, ${key}, state, updated_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (input, ${key}) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at`,
    );
    this.reload();
  }

  get(key: string): T | undefined {
    return this.rows.get(key);
  }

  /** Stores (or marks as changed, after an in-place change) the row of `key`. */
  set(key: string, value: T): void {
    this.rows.set(key, value);
    this.dirty.add(key);
  }

  get size(): number {
    return this.rows.size;
  }

  entries(): IterableIterator<[string, T]> {
    return this.rows.entries();
  }

  /** Writes the changed rows into the open transaction. */
  flush(now: number): void {
    for (const key of this.dirty) this.upsert.run(this.input, key, JSON.stringify(this.rows.get(key)), now);
    this.dirty.clear();
  }

  /** After a failed transaction: memory as the file has it. */
  reload(): void {
    this.rows.clear();
    this.dirty.clear();
    for (const row of this.select.raw().all(this.input) as [string, string][]) this.rows.set(row[0], JSON.parse(row[1]) as T);
  }
}

/** One metric of a birth certificate: name, alias (null when the node uses none), Sparkplug datatype name (Int32, Boolean, …). */
export type BirthMetric = [name: string, alias: number | null, datatype: string];

export interface Birth {
  metrics: BirthMetric[];
  bornAt: number;
}

/** Birth certificates by (edge node, device), device '' for the node's own. */
export class BirthRows {
  private readonly rows = new Map<string, Birth>();
  private readonly dirty = new Set<string>();
  private readonly select: Run;
  private readonly upsert: Run;
  private readonly input: string;

  constructor(db: Db, input: string) {
    this.input = input;
    this.select = db.prepare('SELECT node, device, metrics, born_at FROM input_births WHERE input = ?');
    this.upsert = db.prepare(
      `INSERT INTO input_births (input, node, device, metrics, born_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (input, node, device) DO UPDATE SET metrics = excluded.metrics, born_at = excluded.born_at`,
    );
    this.reload();
  }

  get(node: string, device: string): Birth | undefined {
    return this.rows.get(node + '\u0000' + device);
  }

  set(node: string, device: string, birth: Birth): void {
    const key = node + '\u0000' + device;
    this.rows.set(key, birth);
    this.dirty.add(key);
  }

  flush(): void {
    for (const key of this.dirty) {
      const [node, device] = key.split('\u0000');
      const b = this.rows.get(key)!;
      this.upsert.run(this.input, node, device, JSON.stringify(b.metrics), b.bornAt);
    }
    this.dirty.clear();
  }

  reload(): void {
    this.rows.clear();
    this.dirty.clear();
    for (const [node, device, metrics, bornAt] of this.select.raw().all(this.input) as [string, string, string, number][]) {
      this.rows.set(node + '\u0000' + device, { metrics: JSON.parse(metrics) as BirthMetric[], bornAt });
    }
  }
}
