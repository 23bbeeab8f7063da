// An MQTT broker inside the app process, for the demo (`serve` with no config) and for tests:
// nothing to install, and it lives and dies with the process. aedes speaks MQTT 3.1.1 only.
import net from 'node:net';
import { Aedes } from 'aedes';
import { logger } from './log.ts';

const log = logger('broker');

export interface EmbeddedBrokerOptions {
  /** Loopback by default: the demo broker has no authentication and must not be reachable from the plant network. */
  host?: string;
  /** 0 picks a free port. */
  port?: number;
}

export interface EmbeddedBroker {
  /** mqtt://host:port, ready for mqtt.connect. */
  url: string;
  port: number;
  stop(): Promise<void>;
}

export async function startEmbeddedBroker({ host = '127.0.0.1', port = 0 }: EmbeddedBrokerOptions = {}): Promise<EmbeddedBroker> {
  const broker = await Aedes.createBroker();
  broker.on('client', (c) => log.debug('client connected', { id: c.id }));
  broker.on('clientDisconnect', (c) => log.debug('client disconnected', { id: c.id }));
  broker.on('clientError', (c, err) => log.debug('client error', { id: c.id, error: err.message }));

  // Sockets that never completed CONNECT are not aedes clients, so stop() must end them itself
  // or server.close() would wait for them forever.
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    broker.handle(socket);
  });

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    await new Promise<void>((resolve) => broker.close(() => resolve()));
    throw err;
  }
  server.on('error', (err) => log.error('broker listener failed', { error: err.message }));

  const bound = (server.address() as net.AddressInfo).port;
  const url = `mqtt://${host.includes(':') ? `[${host}]` : host}:${bound}`;
  log.debug('embedded broker listening', { url });

  let stopping: Promise<void> | undefined;
  return {
    url,
    port: bound,
    stop() {
      stopping ??= (async () => {
        await new Promise<void>((resolve) => broker.close(() => resolve()));
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        for (const s of sockets) s.destroy();
        await closed;
        log.debug('embedded broker stopped', { url });
      })();
      return stopping;
    },
  };
}
