// The raw receive limit (a child process of bench/run.ts): an mqtt.js QoS 1 subscriber with the same
// connection options as Taktboard's ingest (MQTT 5, persistent session, QoS 1) that acknowledges every
// message at once and stores nothing. Reports its count over the IPC channel every 50 ms.
import mqtt from 'mqtt';
import type { IPublishPacket } from 'mqtt';

const url = process.argv[2];
const site = process.argv[3];
if (!url || !site || !process.send) {
  console.error('usage: forked by bench/run.ts with <broker url> <site>');
  process.exit(2);
}
const send = (m: unknown) => process.send!(m);
let received = 0;
let bytes = 0;

const client = mqtt.connect(url, {
  clientId: `bench-raw-${site}`,
  clean: false,
  protocolVersion: 5,
  keepalive: 30,
  reconnectPeriod: 1000,
  resubscribe: false,
  properties: { sessionExpiryInterval: 600 },
});
client.handleMessage = (packet: IPublishPacket, done: (err?: Error) => void) => {
  received++;
  bytes += (packet.payload as Buffer).length;
  done();
};
client.on('connect', () => {
  client.subscribe(`factory/${site}/+/+/+`, { qos: 1 }, (err) => {
    if (err) send({ type: 'error', message: err.message });
    else send({ type: 'ready' });
  });
});
client.on('error', (e) => send({ type: 'error', message: e.message }));
const timer = setInterval(() => send({ type: 'count', received, bytes }), 50);
process.on('message', (m: { type: string }) => {
  if (m.type === 'stop') {
    clearInterval(timer);
    // A clean session end, so the broker keeps nothing for this id after the bench.
    client.end(false, { properties: { sessionExpiryInterval: 0 } } as never, () => process.exit(0));
    setTimeout(() => process.exit(0), 2000).unref();
  }
});
process.on('disconnect', () => process.exit(0));
