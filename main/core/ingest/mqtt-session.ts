// One connection to the broker as a subscriber: CONNECT, SUBSCRIBE, keepalive, and the PUBLISHes it
// receives, with their PUBACKs written only when the caller says (after the commit that holds them).
// Taktboard owns this seam instead of reaching into a client library's private send path: packets are
// built and read with mqtt-packet's public generate()/parser(), except PUBLISH and PUBACK, the two
// packets of every message, which are read and written here directly (a fixed layout, MQTT 3.1.1 §3.3
// and §3.4, MQTT 5 §3.3 and §3.4) so a burst costs no object per packet beyond the message itself.
//
// A PUBLISH larger than `maximumPacketBytes` is never buffered whole: its head (topic, packet id and
// the first bytes of the payload) is kept and the rest is read and dropped as it streams in, so a
// 50 MB publish costs what its first KiB does. With MQTT 5 the broker is also told that limit (and
// our Receive Maximum) in CONNECT, so it does not send such a packet at all.
import net from 'node:net';
import tls from 'node:tls';
import type { Duplex } from 'node:stream';
import mqttPacket, { type IConnackPacket, type IConnectPacket, type IDisconnectPacket, type ISubackPacket, type Packet } from 'mqtt-packet';
import { WebSocket, createWebSocketStream } from 'ws';

export interface SessionOptions {
  url: string;
  clientId: string;
  protocolVersion: 4 | 5;
  keepaliveS: number;
  /** MQTT 5 session expiry (> 0 keeps the persistent session across a disconnect). */
  sessionExpiryS: number;
  /** A clean session (a connection test that must leave nothing behind at the broker); default false. */
  clean?: boolean;
  username?: string;
  password?: string;
  tls: { ca?: Buffer; cert?: Buffer; key?: Buffer; rejectUnauthorized: boolean };
  /** From the start of the attempt until CONNACK. */
  connectTimeoutMs: number;
  /** MQTT 5 Receive Maximum: QoS 1 messages the broker may send ahead of our PUBACKs. */
  receiveMaximum: number;
  /** The largest packet read whole (MQTT 5: also the Maximum Packet Size told to the broker). */
  maximumPacketBytes: number;
  /** The will in CONNECT (a Sparkplug primary host's STATE death), if any. */
  will?: { topic: string; payload: Buffer; qos: 0 | 1; retain: boolean };
}

/** One received PUBLISH. */
export interface Inbound {
  topic: string;
  /** The payload, or only its first bytes when the packet was larger than maximumPacketBytes. */
  payload: Buffer;
  /** The payload's full size in bytes (larger than payload.length when only its head was kept). */
  size: number;
  qos: 0 | 1;
  packetId: number;
  receivedAt: number;
}

/** Shaped like the errors of Node sockets and of CONNACK refusals, for words.ts. */
export class SessionError extends Error {
  readonly code: string | number | undefined;
  constructor(message: string, code?: string | number) {
    super(message);
    this.name = 'SessionError';
    this.code = code;
  }
}

export interface SessionHandlers {
  connected(info: { sessionPresent: boolean }): void;
  /** The PUBLISHes of one read from the socket, in arrival order. */
  received(batch: Inbound[]): void;
  /** The broker sent DISCONNECT (MQTT 5) with this reason code. */
  disconnected(reasonCode: number): void;
  /** The connection is gone; `error` says why, null when it was closed without one (by either side). Called once. */
  closed(error: Error | null): void;
}

/** Bytes of a too-large PUBLISH kept for its head: the longest topic (64 KiB) plus room for properties and a payload prefix. */
const HEAD_KEEP_BYTES = 72 * 1024;
/** What is kept of a too-large payload: the quarantine shows a prefix, never the whole. */
const OVERSIZE_PAYLOAD_KEEP = 1024;
const SUBSCRIBE_ID = 1;
const READ_BUFFER_BYTES = 64 * 1024;

const PUBLISH = 3;
const PUBACK_BYTE = 0x40;

interface Skipping {
  /** Bytes of the packet (after its fixed header) still to come. */
  remaining: number;
  flags: number;
  head: Buffer[];
  headBytes: number;
  length: number;
}

export class SubscriberSession {
  private readonly o: SessionOptions;
  private readonly h: SessionHandlers;
  private socket: Duplex | null = null;
  /** Reads land in a buffer the next read overwrites: whatever outlives onData is copied. */
  private transient = false;
  private readonly parser: ReturnType<typeof mqttPacket.parser>;
  private leftover: Buffer | null = null;
  private skipping: Skipping | null = null;
  private connectTimer: NodeJS.Timeout | null = null;
  private keepaliveTimer: NodeJS.Timeout | null = null;
  private lastReceived = 0;
  private lastSent = 0;
  private pingOutstanding = false;
  private held = false;
  private closedOnce = false;
  private failure: Error | null = null;
  private subscribeCallback: ((err: Error | null, granted: number[]) => void) | null = null;
  private publishId = 1;
  /** True between CONNACK (accepted) and close: only then may PUBACKs go out on this connection. */
  connected = false;

  constructor(options: SessionOptions, handlers: SessionHandlers) {
    this.o = options;
    this.h = handlers;
    this.parser = mqttPacket.parser({ protocolVersion: options.protocolVersion });
    this.parser.on('packet', (p: Packet) => this.onControlPacket(p));
    this.parser.on('error', (err: Error) => this.fail(new SessionError(`malformed packet from the broker: ${err.message}`)));
  }

  /** Opens the transport and sends CONNECT; the outcome arrives through the handlers. */
  open(): void {
    let socket: Duplex;
    try {
      socket = this.transport();
    } catch (err) {
      queueMicrotask(() => this.finish(err as Error));
      return;
    }
    this.socket = socket;
    this.connectTimer = setTimeout(() => this.fail(new SessionError('connack timeout')), this.o.connectTimeoutMs);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err: Error) => {
      this.failure ??= err;
    });
    socket.on('close', () => this.finish(this.failure));
  }

  private transport(): Duplex {
    const u = new URL(this.o.url);
    const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
    const { ca, cert, key, rejectUnauthorized } = this.o.tls;
    const onOpen = () => this.sendConnect();
    switch (u.protocol) {
      case 'mqtt:':
      case 'tcp:': {
        // Plain TCP reads into one reused buffer (onread): a 50 MB publish streamed through skip() then
        // leaves no 64 KiB chunks behind for the garbage collector, and what is kept is copied (readPublish).
        this.transient = true;
        const readBuffer = Buffer.allocUnsafe(READ_BUFFER_BYTES);
        const s = net.connect(
          {
            host,
            port: Number(u.port || 1883),
            onread: {
              buffer: readBuffer,
              callback: (nread: number, buf: Uint8Array) => {
                this.onData(Buffer.from(buf.buffer, buf.byteOffset, nread));
                return true;
              },
            },
          },
          onOpen,
        );
        s.setNoDelay(true);
        return s;
      }
      case 'mqtts:':
      case 'ssl:':
      case 'tls:': {
        const s = tls.connect({ host, port: Number(u.port || 8883), servername: net.isIP(host) ? undefined : host, ca, cert, key, rejectUnauthorized }, onOpen);
        s.setNoDelay(true);
        return s;
      }
      case 'ws:':
      case 'wss:': {
        const ws = new WebSocket(u.toString(), 'mqtt', { ca, cert, key, rejectUnauthorized, perMessageDeflate: false });
        ws.once('open', onOpen);
        return createWebSocketStream(ws);
      }
      default:
        throw new SessionError(`unsupported broker URL scheme "${u.protocol}"`);
    }
  }

  private sendConnect(): void {
    const o = this.o;
    const packet: IConnectPacket = {
      cmd: 'connect',
      protocolId: 'MQTT',
      protocolVersion: o.protocolVersion,
      clientId: o.clientId,
      clean: o.clean ?? false,
      keepalive: o.keepaliveS,
      username: o.username || undefined,
      password: o.password !== undefined ? Buffer.from(o.password, 'utf8') : undefined,
      will: o.will ? { topic: o.will.topic, payload: o.will.payload, qos: o.will.qos, retain: o.will.retain } : undefined,
      properties:
        o.protocolVersion === 5
          ? { sessionExpiryInterval: o.clean ? 0 : o.sessionExpiryS, receiveMaximum: o.receiveMaximum, maximumPacketSize: o.maximumPacketBytes }
          : undefined,
    };
    this.write(mqttPacket.generate(packet, { protocolVersion: o.protocolVersion }));
  }

  /** One SUBSCRIBE (QoS 1) for one filter or several; `granted` has one code per filter, in order. */
  subscribe(topics: string | readonly string[], callback: (err: Error | null, granted: number[]) => void): void {
    this.subscribeCallback = callback;
    const subscriptions = (typeof topics === 'string' ? [topics] : topics).map((topic) => ({ topic, qos: 1 as const }));
    this.write(mqttPacket.generate({ cmd: 'subscribe', messageId: SUBSCRIBE_ID, subscriptions }, { protocolVersion: this.o.protocolVersion }));
  }

  /**
   * Publishes one message (a Sparkplug rebirth request at QoS 0, a primary host's STATE at QoS 1, retained).
   * Fire and forget: a QoS 1 PUBACK is read and ignored, and nothing is sent again after a reconnect (the
   * caller publishes anew on connect). Nothing is sent unless this connection is up.
   */
  publish(topic: string, payload: Buffer, options: { qos: 0 | 1; retain: boolean }): void {
    if (!this.connected) return;
    // Packet ids of our own publishes: 2…65535 (1 is the SUBSCRIBE's), in turn.
    const messageId = options.qos === 1 ? (this.publishId = this.publishId >= 0xffff ? 2 : this.publishId + 1) : undefined;
    this.write(mqttPacket.generate({ cmd: 'publish', topic, payload, qos: options.qos, retain: options.retain, dup: false, messageId }, { protocolVersion: this.o.protocolVersion }));
  }

  /** PUBACKs for these packet ids, in this order, in one write. Nothing is sent unless this connection is up. */
  ack(packetIds: readonly number[]): void {
    if (!this.connected || packetIds.length === 0) return;
    // A PUBACK with reason "success" and no properties is the same 4 bytes in MQTT 3.1.1 and 5 (MQTT 5 §3.4.2.1).
    const buf = Buffer.allocUnsafe(4 * packetIds.length);
    for (let i = 0, at = 0; i < packetIds.length; i++, at += 4) {
      buf[at] = PUBACK_BYTE;
      buf[at + 1] = 2;
      buf[at + 2] = packetIds[i] >> 8;
      buf[at + 3] = packetIds[i] & 0xff;
    }
    this.write(buf);
  }

  /** Stops reading (storage cannot keep up): TCP pushes back and the broker holds what comes next. */
  hold(on: boolean): void {
    if (on === this.held || !this.socket) return;
    this.held = on;
    if (on) this.socket.pause();
    else {
      // Time spent not reading is not the broker's silence.
      this.lastReceived = Date.now();
      this.socket.resume();
    }
  }

  /** A clean DISCONNECT (the persistent session stays with the broker), then the socket closes. */
  end(): Promise<void> {
    const socket = this.socket;
    if (!socket || this.closedOnce) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const force = setTimeout(() => socket.destroy(), 2000);
      socket.once('close', () => {
        clearTimeout(force);
        resolve();
      });
      if (this.connected) this.write(mqttPacket.generate({ cmd: 'disconnect' }, { protocolVersion: this.o.protocolVersion }));
      this.connected = false;
      socket.end();
    });
  }

  /** Closes at once with this error (half-open link, protocol error). */
  destroy(err: Error): void {
    this.fail(err);
  }

  private write(buf: Buffer): void {
    if (!this.socket || this.socket.destroyed) return;
    this.lastSent = Date.now();
    this.socket.write(buf);
  }

  private fail(err: Error): void {
    this.failure ??= err;
    this.connected = false;
    this.socket?.destroy();
    if (!this.socket) this.finish(err);
  }

  private finish(err: Error | null): void {
    if (this.closedOnce) return;
    this.closedOnce = true;
    this.connected = false;
    if (this.connectTimer) clearTimeout(this.connectTimer);
    if (this.keepaliveTimer) clearInterval(this.keepaliveTimer);
    this.connectTimer = this.keepaliveTimer = null;
    this.leftover = null;
    this.skipping = null;
    const cb = this.subscribeCallback;
    this.subscribeCallback = null;
    cb?.(new SessionError('connection closed before SUBACK'), []);
    this.h.closed(err);
  }

  // ---- keepalive -----------------------------------------------------------------------------------

  private startKeepalive(): void {
    const k = this.o.keepaliveS * 1000;
    if (k <= 0) return;
    this.lastReceived = Date.now();
    this.keepaliveTimer = setInterval(() => {
      const now = Date.now();
      // While we hold reading, the broker's answers wait in the socket: not a silence.
      if (!this.held && now - this.lastReceived >= 1.5 * k) {
        this.fail(new SessionError('Keepalive timeout'));
        return;
      }
      if (now - this.lastSent >= k || (!this.pingOutstanding && now - this.lastReceived >= k)) {
        this.pingOutstanding = true;
        this.write(mqttPacket.generate({ cmd: 'pingreq' }));
      }
    }, Math.max(100, Math.min(1000, k / 4)));
    this.keepaliveTimer.unref();
  }

  // ---- reading -------------------------------------------------------------------------------------

  private onData(chunk: Buffer): void {
    this.lastReceived = Date.now();
    this.pingOutstanding = false;
    const out: Inbound[] = [];
    let data = chunk;
    let at = 0;
    if (this.skipping) at = this.skip(data, 0, out);
    if (this.leftover) {
      data = Buffer.concat([this.leftover, data.subarray(at)]);
      at = 0;
      this.leftover = null;
    }
    const max = this.o.maximumPacketBytes;
    while (at < data.length && !this.skipping && !this.closedOnce) {
      // Fixed header: one byte of type and flags, then the remaining length in 1–4 bytes (§2.2.3).
      let length = 0;
      let mul = 1;
      let i = at + 1;
      let complete = false;
      for (; i < data.length && i <= at + 4; i++) {
        const b = data[i];
        length += (b & 0x7f) * mul;
        mul *= 128;
        if ((b & 0x80) === 0) {
          complete = true;
          break;
        }
      }
      if (!complete) {
        if (i > at + 4) return this.fail(new SessionError('malformed packet from the broker: remaining length over 4 bytes'));
        break;
      }
      const headerLen = i + 1 - at;
      const type = data[at] >> 4;
      if (length > max) {
        if (type !== PUBLISH) return this.fail(new SessionError(`packet of ${length} bytes from the broker is larger than the ${max} allowed`));
        this.skipping = { remaining: length, flags: data[at] & 0x0f, head: [], headBytes: 0, length };
        at = this.skip(data, at + headerLen, out);
        continue;
      }
      if (data.length - at < headerLen + length) break;
      const body = at + headerLen;
      if (type === PUBLISH) {
        const p = this.readPublish(data, data[at] & 0x0f, body, body + length, length);
        if (!p) return;
        out.push(p);
      } else {
        this.parser.parse(data.subarray(at, body + length));
      }
      at = body + length;
    }
    if (at < data.length && !this.skipping && !this.closedOnce) this.leftover = Buffer.from(data.subarray(at));
    if (out.length > 0) this.h.received(out);
  }

  /**
   * Reads a too-large PUBLISH's bytes from `data` at `at`, keeping only its head; once its last byte is
   * read, the message (with its payload cut to a prefix) joins `out`. Returns where it stopped.
   */
  private skip(data: Buffer, at: number, out: Inbound[]): number {
    const s = this.skipping!;
    const take = Math.min(s.remaining, data.length - at);
    if (s.headBytes < HEAD_KEEP_BYTES && take > 0) {
      const keep = Math.min(take, HEAD_KEEP_BYTES - s.headBytes);
      s.head.push(Buffer.from(data.subarray(at, at + keep)));
      s.headBytes += keep;
    }
    s.remaining -= take;
    if (s.remaining === 0) {
      this.skipping = null;
      const head = Buffer.concat(s.head);
      // The head is read as if it were the whole packet; readPublish cuts the payload to its first bytes.
      const p = this.readPublish(head, s.flags, 0, head.length, s.length);
      if (p) out.push(p);
    }
    return at + take;
  }

  /** PUBLISH (§3.3): topic, packet id when QoS > 0, MQTT 5 properties, then the payload up to `end`. */
  private readPublish(data: Buffer, flags: number, start: number, end: number, packetLength: number): Inbound | null {
    const qos = (flags >> 1) & 3;
    if (qos > 1) {
      // We subscribe with QoS 1, so the broker may not send QoS 2 (§3.8.4); 3 is malformed.
      this.fail(new SessionError(`broker sent a QoS ${qos} PUBLISH on a QoS 1 subscription`));
      return null;
    }
    let p = start;
    if (end - p < 2) return this.malformed('PUBLISH without a topic');
    const topicLen = data.readUInt16BE(p);
    p += 2;
    if (p + topicLen > end) return this.malformed('PUBLISH topic longer than the packet');
    const topic = data.toString('utf8', p, p + topicLen);
    p += topicLen;
    let packetId = 0;
    if (qos > 0) {
      if (end - p < 2) return this.malformed('PUBLISH without a packet id');
      packetId = data.readUInt16BE(p);
      p += 2;
    }
    if (this.o.protocolVersion === 5) {
      let propLen = 0;
      let mul = 1;
      for (let k = 0; ; k++) {
        if (p >= end || k === 4) return this.malformed('PUBLISH properties length');
        const b = data[p++];
        propLen += (b & 0x7f) * mul;
        mul *= 128;
        if ((b & 0x80) === 0) break;
      }
      p += propLen;
      if (p > end) return this.malformed('PUBLISH properties longer than the packet');
    }
    // The payload's size from the packet's own length: `end` is short of it when only a head was kept.
    const size = packetLength - (p - start);
    const kept = size > end - p ? data.subarray(p, Math.min(end, p + OVERSIZE_PAYLOAD_KEEP)) : data.subarray(p, end);
    const payload = this.transient ? Buffer.from(kept) : kept;
    return { topic, payload, size, qos: qos as 0 | 1, packetId, receivedAt: this.lastReceived };
  }

  private malformed(what: string): null {
    this.fail(new SessionError(`malformed packet from the broker: ${what}`));
    return null;
  }

  private onControlPacket(p: Packet): void {
    switch (p.cmd) {
      case 'connack': {
        const c = p as IConnackPacket;
        const code = (this.o.protocolVersion === 5 ? c.reasonCode : c.returnCode) ?? 0;
        if (this.connectTimer) clearTimeout(this.connectTimer);
        this.connectTimer = null;
        if (code !== 0) {
          this.fail(new SessionError(`Connection refused: ${code}`, code));
          return;
        }
        this.connected = true;
        this.startKeepalive();
        this.h.connected({ sessionPresent: c.sessionPresent });
        return;
      }
      case 'suback': {
        const s = p as ISubackPacket;
        const cb = this.subscribeCallback;
        this.subscribeCallback = null;
        cb?.(null, s.granted.map((g) => (typeof g === "number" ? g : (g as { qos: number }).qos)));
        return;
      }
      case 'disconnect': {
        const d = p as IDisconnectPacket;
        this.h.disconnected(d.reasonCode ?? 0);
        this.fail(new SessionError(`broker sent DISCONNECT (reason ${d.reasonCode ?? 0})`, `DISCONNECT_${d.reasonCode ?? 0}`));
        return;
      }
      case 'pingresp':
        return;
      default:
        // PUBACK/PUBREC/… answer publishes we never send; AUTH needs an auth method we never ask for.
        return;
    }
  }
}
