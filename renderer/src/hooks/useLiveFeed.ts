// The live snapshot, the broker connection and the app link, as React state.
import { useEffect, useState } from 'react';
import type { ConnectionState, LiveSnapshot } from '../../../shared/api.ts';
import type { TaktboardClient, TransportStatus } from '../api/client.ts';

export interface LiveFeed {
  snapshot: LiveSnapshot | null;
  /** Whichever arrived last of the `connection` event and the snapshot's own broker state. */
  broker: ConnectionState | null;
  transport: TransportStatus;
  /** Tells "connecting" at start-up apart from "reconnecting" after a drop. */
  brokerWasConnected: boolean;
}

export function useLiveFeed(client: TaktboardClient): LiveFeed {
  const [snapshot, setSnapshot] = useState<LiveSnapshot | null>(null);
  const [broker, setBroker] = useState<ConnectionState | null>(null);
  const [transport, setTransport] = useState<TransportStatus>(() => client.transportStatus());
  const [brokerWasConnected, setBrokerWasConnected] = useState(false);

  useEffect(() => {
    const offLive = client.on('live', (s) => {
      setSnapshot(s);
      setBroker(s.broker);
    });
    const offConnection = client.on('connection', setBroker);
    const offTransport = client.onTransport(setTransport);
    setTransport(client.transportStatus());
    return () => {
      offLive();
      offConnection();
      offTransport();
    };
  }, [client]);

  useEffect(() => {
    if (broker?.status === 'connected') setBrokerWasConnected(true);
  }, [broker]);

  return { snapshot, broker, transport, brokerWasConnected };
}
