// Broker and storage failures in words a person at the line can act on. The codes come from MQTT
// CONNACK/DISCONNECT/SUBACK reason codes, Node socket errors and SQLite result codes.
import type { Alert } from '../../../shared/api.ts';
import { DB_DAMAGED } from '../store/store.ts';

export interface ConnectionProblem {
  words: string;
  /** The broker refused us on purpose (credentials, ACL, ban): retrying soon only hammers it. */
  refused: boolean;
  /** Someone must change credentials or the broker's rules: worth a banner ('broker_rejected'), not just a status. */
  needsPerson?: boolean;
}

type CodedError = Error & { code?: unknown; hostname?: unknown };

const CONNACK_WORDS: Record<number, ConnectionProblem> = {
  1: { words: 'broker does not accept this MQTT version (try broker.protocolVersion 4)', refused: true },
  2: { words: 'broker rejected the client id', refused: true },
  3: { words: 'broker unavailable', refused: false },
  4: { words: 'broker rejected credentials', refused: true, needsPerson: true },
  5: { words: 'not authorised', refused: true, needsPerson: true },
  132: { words: 'broker does not support MQTT 5 (set broker.protocolVersion to 4)', refused: true },
  133: { words: 'broker rejected the client id', refused: true },
  134: { words: 'broker rejected credentials', refused: true, needsPerson: true },
  135: { words: 'not authorised', refused: true, needsPerson: true },
  136: { words: 'broker unavailable', refused: false },
  137: { words: 'broker busy', refused: false },
  138: { words: 'banned by the broker', refused: true, needsPerson: true },
  139: { words: 'broker shutting down', refused: false },
  140: { words: 'broker rejected the authentication method', refused: true, needsPerson: true },
  159: { words: 'broker refused: connection rate exceeded', refused: false },
};

export function describeConnectionError(err: CodedError): ConnectionProblem {
  const code = err.code;
  if (typeof code === 'number') {
    return CONNACK_WORDS[code] ?? { words: `broker refused the connection (${err.message.replace(/^Connection refused:\s*/, '')})`, refused: true };
  }
  if (typeof code === 'string') {
    const detail = err.message.replace(/^(connect|getaddrinfo|read|write)\s+/, '');
    switch (code) {
      case 'ECONNREFUSED':
      case 'ETIMEDOUT':
      case 'EHOSTUNREACH':
      case 'ENETUNREACH':
      case 'EADDRNOTAVAIL':
        return { words: `broker unreachable (${detail})`, refused: false };
      case 'ENOTFOUND':
      case 'EAI_AGAIN':
        return { words: `broker host not found (${typeof err.hostname === 'string' ? err.hostname : detail})`, refused: false };
      case 'ECONNRESET':
      case 'EPIPE':
        return { words: 'connection reset by the broker or the network', refused: false };
    }
    if (/^ERR_TLS|^ERR_SSL|CERT|SELF_SIGNED|UNABLE_TO_/.test(code)) return { words: `TLS handshake failed: ${err.message}`, refused: false };
  }
  if (err.message === 'Keepalive timeout') return { words: 'broker stopped answering (keepalive timeout)', refused: false };
  if (err.message === 'connack timeout') return { words: 'no answer from the broker (connect timeout)', refused: false };
  return { words: err.message, refused: false };
}

/** A DISCONNECT the broker sent (MQTT 5), e.g. 142 when another client took our client id. */
export function describeDisconnect(reasonCode: number | undefined): string {
  switch (reasonCode) {
    case 142:
      return 'another client with the same client id took over the session';
    case 139:
      return 'broker shutting down';
    case 141:
      return 'broker closed the connection (keepalive timeout)';
    case 135:
      return 'not authorised';
    case undefined:
    case 0:
      return 'broker closed the connection';
    default:
      return `broker closed the connection (reason ${reasonCode})`;
  }
}

export function describeSubscribeRefusal(topic: string, code: unknown): string {
  const why = code === 135 ? 'not authorised' : code === 143 ? 'topic filter invalid' : 'refused';
  return `broker refused the subscription to ${topic} (${why}): no telemetry will arrive; check the broker's ACL for this user`;
}

/** The alert a failed commit raises. The message keeps the SQLite code so support can tell them apart. */
export function storageAlert(err: unknown): { code: Alert['code']; message: string } {
  const code = typeof (err as CodedError)?.code === 'string' ? ((err as CodedError).code as string) : '';
  const message = err instanceof Error ? err.message : String(err);
  if (code === DB_DAMAGED) {
    return { code: 'db_damaged', message: `${message}; nothing more is acknowledged, telemetry waits at the broker until Taktboard is restarted` };
  }
  if (code === 'SQLITE_FULL') {
    return { code: 'storage_full', message: 'storage full: the disk holding the database has no space left; telemetry waits at the broker until space is freed' };
  }
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return { code: 'db_locked', message: 'database locked by another program; telemetry waits at the broker until it is released' };
  }
  return { code: 'storage_full', message: `cannot write the database (${code || 'error'}: ${message}); telemetry waits at the broker` };
}
