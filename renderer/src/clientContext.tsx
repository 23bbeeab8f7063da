import { createContext, useContext } from 'react';
import type { TaktboardClient } from './api/client.ts';

export const ClientContext = createContext<TaktboardClient | null>(null);

export function useClient(): TaktboardClient {
  const client = useContext(ClientContext);
  if (!client) throw new Error('useClient outside ClientContext');
  return client;
}
