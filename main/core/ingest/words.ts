// Broker and storage failures in words a person at the line can act on. The codes come from MQTT
// CONNACK/DISCONNECT/SUBACK reason codes, Node socket errors and SQLite result codes. Each is a key of
// shared/words.ts with its parameters: the screens translate it, `english()` of it is the text sent beside.
import type { Alert } from '../../../shared/api.ts';
import { english, type Words } from '../../../shared/words.ts';
import { DB_DAMAGED } from '../store/store.ts';

export interface ConnectionProblem {
  words: Words;
  /** The broker refused us on purpose (credentials, ACL, ban): retrying soon only hammers it. */
  refused: boolean;
  /** Someone must change credentials or the broker's rules: worth a banner ('broker_rejected'), not just a status. */
  needsPerson?: boolean;
}

type CodedError = Error & { code?: unknown; hostname?: unknown };

const CONNACK_WORDS: Record<number, ConnectionProblem> = {
  1: { words: { key: 'broker.bad_protocol' }, refused: true },
  2: { words: { key: 'broker.rejected_client_id' }, refused: true },
  3: { words: { key: 'broker.unavailable' }, refused: false },
  4: { words: { key: 'broker.rejected_credentials' }, refused: true, needsPerson: true },
  5: { words: { key: 'broker.not_authorised' }, refused: true, needsPerson: true },
  132: { words: { key: 'broker.no_mqtt5' }, refused: true },
  133: { words: { key: 'broker.rejected_client_id' }, refused: true },
  134: { words: { key: 'broker.rejected_credentials' }, refused: true, needsPerson: true },
  135: { words: { key: 'broker.not_authorised' }, refused: true, needsPerson: true },
  136: { words: { key: 'broker.unavailable' }, refused: false },
  137: { words: { key: 'broker.busy' }, refused: false },
  138: { words: { key: 'broker.banned' }, refused: true, needsPerson: true },
  139: { words: { key: 'broker.shutting_down' }, refused: false },
  140: { words: { key: 'broker.rejected_auth_method' }, refused: true, needsPerson: true },
  159: { words: { key: 'broker.rate_exceeded' }, refused: false },
};

export function describeConnectionError(err: CodedError): ConnectionProblem {
  const code = err.code;
  if (typeof code === 'number') {
    return CONNACK_WORDS[code] ?? { words: { key: 'broker.refused', params: { detail: err.message.replace(/^Connection refused:\s*/, '') } }, refused: true };
  }
  if (typeof code === 'string') {
    const detail = err.message.replace(/^(connect|getaddrinfo|read|write)\s+/, '');
    switch (code) {
      case 'ECONNREFUSED':
      case 'ETIMEDOUT':
      case 'EHOSTUNREACH':
      case 'ENETUNREACH':
      case 'EADDRNOTAVAIL':
        return { words: { key: 'broker.unreachable', params: { detail } }, refused: false };
      case 'ENOTFOUND':
      case 'EAI_AGAIN':
        return { words: { key: 'broker.host_not_found', params: { host: typeof err.hostname === 'string' ? err.hostname : detail } }, refused: false };
      case 'ECONNRESET':
      case 'EPIPE':
        return { words: { key: 'broker.reset' }, refused: false };
    }
    if (/^ERR_TLS|^ERR_SSL|CERT|SELF_SIGNED|UNABLE_TO_/.test(code)) return { words: { key: 'broker.tls_failed', params: { detail: err.message } }, refused: false };
  }
  if (err.message === 'Keepalive timeout') return { words: { key: 'broker.keepalive_timeout' }, refused: false };
  if (err.message === 'connack timeout') return { words: { key: 'broker.connect_timeout' }, refused: false };
  return { words: { key: 'broker.error', params: { detail: err.message } }, refused: false };
}

/** A DISCONNECT the broker sent (MQTT 5), e.g. 142 when another client took our client id. */
export function describeDisconnect(reasonCode: number | undefined): Words {
  switch (reasonCode) {
    case 142:
      return { key: 'broker.taken_over' };
    case 139:
      return { key: 'broker.shutting_down' };
    case 141:
      return { key: 'broker.closed_keepalive' };
    case 135:
      return { key: 'broker.not_authorised' };
    case undefined:
    case 0:
      return { key: 'broker.closed' };
    default:
      return { key: 'broker.closed_reason', params: { code: reasonCode } };
  }
}

export function describeSubscribeRefusal(topic: string, code: unknown): Words {
  return { key: code === 135 ? 'broker.subscribe_not_authorised' : code === 143 ? 'broker.subscribe_invalid' : 'broker.subscribe_refused', params: { topic } };
}

/** The alert a failed commit raises. The message keeps the SQLite code so support can tell them apart. */
export function storageAlert(err: unknown): { code: Alert['code']; message: string; words: Words } {
  const code = typeof (err as CodedError)?.code === 'string' ? ((err as CodedError).code as string) : '';
  const message = err instanceof Error ? err.message : String(err);
  const alert = (c: Alert['code'], words: Words) => ({ code: c, message: english(words), words });
  if (code === DB_DAMAGED) {
    // The writer's refusal says "database damaged: <what the check found>".
    const damage = message.replace(/^database damaged: /, '');
    return alert('db_damaged', { key: 'alert.db_damaged_write', params: { damage } });
  }
  if (code === 'SQLITE_FULL') return alert('storage_full', { key: 'alert.storage_full' });
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) return alert('db_locked', { key: 'alert.db_locked' });
  return alert('storage_full', { key: 'alert.write_failed', params: { code: code || 'error', detail: message } });
}
