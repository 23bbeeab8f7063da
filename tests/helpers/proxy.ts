// A loopback TCP proxy for fault injection (RELIABILITY.md): forwards 127.0.0.1:port → 127.0.0.1:target,
// and can pause (existing links go silent without closing: a half-open link), drop (destroy both ends),
// reset (RST both ends) or refuse new connections while "down".
import net from 'node:net';

export interface Proxy {
  port: number;
  url: string;
  /** Links currently open (client side). */
  links(): number;
  /** Existing links stop forwarding in both directions; bytes are swallowed, nothing is closed. New links work. */
  pause(): void;
  /** Existing links forward again (after pause). */
  resume(): void;
  /** Destroys every link (a FIN to both ends). */
  drop(): void;
  /** Resets every link (an RST to both ends). */
  reset(): void;
  /** While down, new connections are closed at once; up again forwards them. */
  setDown(down: boolean): void;
  close(): Promise<void>;
}

interface Link {
  client: net.Socket;
  upstream: net.Socket;
  paused: boolean;
}

export async function startProxy(targetPort: number): Promise<Proxy> {
  const links = new Set<Link>();
  let down = false;
  const server = net.createServer((client) => {
    if (down) {
      client.destroy();
      return;
    }
    const upstream = net.connect(targetPort, '127.0.0.1');
    const link: Link = { client, upstream, paused: false };
    links.add(link);
    const end = () => {
      links.delete(link);
      client.destroy();
      upstream.destroy();
    };
    client.on('data', (d) => {
      if (!link.paused) upstream.write(d);
    });
    upstream.on('data', (d) => {
      if (!link.paused) client.write(d);
    });
    client.on('close', end);
    upstream.on('close', end);
    client.on('error', end);
    upstream.on('error', end);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;
  const all = () => [...links];
  return {
    port,
    url: `mqtt://127.0.0.1:${port}`,
    links: () => links.size,
    pause: () => all().forEach((l) => (l.paused = true)),
    resume: () => all().forEach((l) => (l.paused = false)),
    drop: () =>
      all().forEach((l) => {
        l.client.destroy();
        l.upstream.destroy();
      }),
    reset: () =>
      all().forEach((l) => {
        l.client.resetAndDestroy();
        l.upstream.resetAndDestroy();
      }),
    setDown: (d) => (down = d),
    close: async () => {
      for (const l of all()) {
        l.client.destroy();
        l.upstream.destroy();
      }
      links.clear();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
