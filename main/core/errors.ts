/** A request that failed because of what the caller asked (unknown line, unknown shift): HTTP 400, an IPC error. */
export class RequestError extends Error {
  override name = 'RequestError';
}
