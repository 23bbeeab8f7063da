// One word for what the header shows, combining the link to the app and the app's link to the broker.
import type { ConnectionState } from '../../shared/api.ts';
import type { TransportStatus } from './api/client.ts';

export type ConnectionView = 'connected' | 'connecting' | 'offline' | 'unreachable';

/** The app being unreachable hides whatever the broker last was: that information is stale. */
export function connectionView(transport: TransportStatus, broker: ConnectionState | null): ConnectionView {
  if (transport === 'down') return 'unreachable';
  if (!broker) return 'connecting';
  return broker.status;
}
