// Sparkplug B payloads (Eclipse Tahu's protobuf schema) decoded with the reference package, sparkplug-payload
// (Eclipse Tahu, EPL-2.0), and made plain: 64-bit integers as numbers when they fit (else bigint), the
// metric's own timestamp and alias as numbers, a null metric as null.
import sparkplugPayload from 'sparkplug-payload';

const spb = sparkplugPayload.get('spBv1.0')!;

export interface SpMetric {
  name: string | null;
  alias: number | null;
  type: string;
  value: unknown;
  ts: number | null;
}

export interface SpPayload {
  timestamp: number | null;
  seq: number | null;
  metrics: SpMetric[];
}

/** protobufjs's 64-bit integers (the `long` package's objects, which sparkplug-payload brings). */
interface LongLike {
  low: number;
  high: number;
  unsigned: boolean;
  toNumber(): number;
  toString(): string;
}

function isLong(v: unknown): v is LongLike {
  return typeof v === 'object' && v !== null && typeof (v as LongLike).toNumber === 'function' && typeof (v as LongLike).high === 'number';
}

function plainNumber(v: unknown): number | bigint | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number') return v;
  if (isLong(v)) {
    const n = v.toNumber();
    return Number.isSafeInteger(n) ? n : BigInt(v.toString());
  }
  return null;
}

function plainValue(type: string, v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (isLong(v)) return plainNumber(v);
  // sparkplug-payload 1.0.3 reads UInt32 with Long.toInt(): values ≥ 2^31 come out negative.
  if (type === 'UInt32' && typeof v === 'number' && v < 0) return v + 2 ** 32;
  return v;
}

/** Decodes one payload; throws on bytes that are not a Sparkplug B payload. */
export function decodeSparkplug(bytes: Uint8Array): SpPayload {
  const p = spb.decodePayload(bytes);
  const metrics: SpMetric[] = [];
  for (const m of p.metrics ?? []) {
    const type = String(m.type);
    const ts = plainNumber(m.timestamp);
    const alias = plainNumber(m.alias);
    metrics.push({
      name: typeof m.name === 'string' ? m.name : null,
      alias: typeof alias === 'number' ? alias : null,
      type,
      value: plainValue(type, m.value),
      ts: typeof ts === 'number' ? ts : null,
    });
  }
  const ts = plainNumber(p.timestamp);
  const seq = plainNumber(p.seq);
  return { timestamp: typeof ts === 'number' ? ts : null, seq: typeof seq === 'number' ? seq : null, metrics };
}

export type EncodableMetric = { name?: string; alias?: number; type: string; value: unknown; timestamp?: number };

/** Encodes a payload (the simulator's edge nodes, our rebirth requests). */
export function encodeSparkplug(payload: { timestamp?: number; seq?: number; metrics: EncodableMetric[] }): Uint8Array {
  return spb.encodePayload(payload as Parameters<typeof spb.encodePayload>[0]);
}
