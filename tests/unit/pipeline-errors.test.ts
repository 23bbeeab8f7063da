// What the ingest tells a person when the broker or the database says no: the words, and whether a retry
// soon makes sense. The integration tests produce most of these from real brokers; these are the rest.
// The words are keys of shared/words.ts (translated by the screens); here they are read in English.
import { describe, expect, it } from 'vitest';
import { english } from '../../shared/words.ts';
import { describeConnectionError, describeDisconnect, describeSubscribeRefusal, storageAlert, type ConnectionProblem } from '../../main/core/ingest/words.ts';

const coded = (message: string, code: unknown, extra: Record<string, unknown> = {}) => Object.assign(new Error(message), { code, ...extra });
/** The problem with its words in English. */
const said = (p: ConnectionProblem) => ({ ...p, words: english(p.words) });
const described = (err: Error) => said(describeConnectionError(err));

describe('connection errors in words', () => {
  it('socket errors name the address and keep retrying', () => {
    expect(described(coded('connect ECONNREFUSED 127.0.0.1:1883', 'ECONNREFUSED'))).toEqual({ words: 'broker unreachable (ECONNREFUSED 127.0.0.1:1883)', refused: false });
    expect(describeConnectionError(coded('connect ECONNREFUSED 127.0.0.1:1883', 'ECONNREFUSED')).words).toEqual({ key: 'broker.unreachable', params: { detail: 'ECONNREFUSED 127.0.0.1:1883' } });
    expect(described(coded('getaddrinfo ENOTFOUND broker.plant', 'ENOTFOUND', { hostname: 'broker.plant' })).words).toBe('broker host not found (broker.plant)');
    expect(described(coded('read ECONNRESET', 'ECONNRESET')).words).toBe('connection reset by the broker or the network');
    expect(described(coded('self-signed certificate', 'DEPTH_ZERO_SELF_SIGNED_CERT')).words).toBe('TLS handshake failed: self-signed certificate');
    expect(described(new Error('Keepalive timeout')).words).toBe('broker stopped answering (keepalive timeout)');
    expect(described(new Error('connack timeout')).words).toBe('no answer from the broker (connect timeout)');
  });

  it('CONNACK refusals of MQTT 3.1.1 and 5 mean the same words; credentials need a person', () => {
    for (const code of [4, 134]) expect(described(coded('x', code))).toEqual({ words: 'broker rejected credentials', refused: true, needsPerson: true });
    for (const code of [5, 135]) expect(described(coded('x', code))).toEqual({ words: 'not authorised', refused: true, needsPerson: true });
    expect(describeConnectionError(coded('x', 134)).words).toEqual({ key: 'broker.rejected_credentials' });
    expect(described(coded('x', 132)).words).toMatch(/set broker.protocolVersion to 4/);
    expect(described(coded('x', 137))).toEqual({ words: 'broker busy', refused: false });
    expect(described(coded('Connection refused: Quota exceeded', 151)).words).toBe('broker refused the connection (Quota exceeded)');
  });

  it('DISCONNECT reasons and SUBACK refusals', () => {
    expect(english(describeDisconnect(142))).toBe('another client with the same client id took over the session');
    expect(english(describeDisconnect(undefined))).toBe('broker closed the connection');
    expect(english(describeDisconnect(152))).toBe('broker closed the connection (reason 152)');
    expect(english(describeSubscribeRefusal('factory/cq/+/+/+', 135))).toMatch(/^broker refused the subscription to factory\/cq\/\+\/\+\/\+ \(not authorised\)/);
    expect(english(describeSubscribeRefusal('f/+', 128))).toMatch(/\(refused\)/);
  });
});

describe('storage alerts', () => {
  it('full disk, a lock, and any other write failure', () => {
    expect(storageAlert(coded('database or disk is full', 'SQLITE_FULL')).code).toBe('storage_full');
    expect(storageAlert(coded('database is locked', 'SQLITE_BUSY')).code).toBe('db_locked');
    expect(storageAlert(coded('database table is locked', 'SQLITE_LOCKED_SHAREDCACHE')).code).toBe('db_locked');
    expect(storageAlert(coded('disk I/O error', 'SQLITE_IOERR_WRITE'))).toEqual({
      code: 'storage_full',
      message: 'cannot write the database (SQLITE_IOERR_WRITE: disk I/O error); telemetry waits at the broker',
      words: { key: 'alert.write_failed', params: { code: 'SQLITE_IOERR_WRITE', detail: 'disk I/O error' } },
    });
  });
});
