/**
 * Error codes. The first group mirrors the server's list (docs/errors.md); `timeout` and
 * `disconnected` are raised by the SDK itself.
 */
export const ERROR_CODES = [
  'invalid_argument',
  'unauthenticated',
  'permission',
  'not_found',
  'expired',
  'conflict',
  'cap_exceeded',
  'rate_limited',
  'unsupported_transport',
  'unsupported_kind',
  'payload_too_large',
  'service_unavailable',
  'internal',
  'unknown_op',
  'timeout',
  'disconnected',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

const knownCodes: ReadonlySet<string> = new Set(ERROR_CODES);

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && knownCodes.has(value);
}

export interface OnairErrorOptions {
  retryAfterMs?: number;
  details?: unknown;
  cause?: unknown;
}

/** Every error the SDK rejects with or emits. Branch on `.code`, not on the message. */
export class OnairError extends Error {
  override readonly name = 'OnairError';
  readonly code: ErrorCode;
  /** Set when the server advises a retry after this many milliseconds. */
  readonly retryAfterMs?: number;
  readonly details?: unknown;

  constructor(code: ErrorCode, message: string, options: OnairErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    if (options.retryAfterMs !== undefined) this.retryAfterMs = options.retryAfterMs;
    if (options.details !== undefined) this.details = options.details;
  }

  /**
   * Builds an error from the wire shape `{code, message, retryAfterMs?}` used by both the
   * WebSocket error reply and the HTTP error body. A code this SDK does not know becomes
   * `internal`, with the server's code kept in `details.serverCode`, so `.code` stays typed.
   */
  static fromWire(body: unknown, fallback: ErrorCode = 'internal'): OnairError {
    const obj = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
    const rawCode = obj['code'];
    const message = typeof obj['message'] === 'string' ? obj['message'] : 'request failed';
    const retry = obj['retryAfterMs'];
    const options: OnairErrorOptions = {};
    if (typeof retry === 'number' && Number.isFinite(retry) && retry >= 0) options.retryAfterMs = retry;
    if (isErrorCode(rawCode)) return new OnairError(rawCode, message, options);
    if (rawCode !== undefined) options.details = { serverCode: rawCode };
    return new OnairError(fallback, message, options);
  }
}
