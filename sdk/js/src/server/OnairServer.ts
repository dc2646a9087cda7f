import { OnairError, type ErrorCode } from '../common/OnairError.js';
import { parseGrant } from '../common/grants.js';
import { createServerJwt } from './jwt.js';
import { checkName, type Stats } from '../common/rooms.js';
import { ServerChannel, ServerRoom } from './rooms.js';
import { ServerLive } from './live.js';
import { ServerStages } from './stage.js';
import { ServerStreams } from './streams.js';
import { ServerCollab } from './collab.js';

export interface OnairServerOptions {
  /** Server base URL, e.g. `http://127.0.0.1:7880`. */
  url: string;
  apiKey: string;
  apiSecret: string;
  /** Defaults to the global `fetch` (Node 20). */
  fetch?: typeof fetch;
  /** Per-request timeout (default 10 000 ms); exceeded requests reject with `timeout`. */
  timeoutMs?: number;
}

export interface CreateTokenOptions {
  userId: string;
  /** Lifetime in seconds. */
  ttl: number;
  /** Grant strings, `<surface>:<pattern>:<action>[,<action>…]`. */
  grants: string[];
  name?: string;
  scope?: string;
  attributes?: Record<string, string>;
}

export interface CreatedToken {
  token: string;
  /** ISO 8601 timestamp. */
  expiresAt: string;
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

const DEFAULT_TIMEOUT_MS = 10_000;
const SERVER_JWT_TTL_SECONDS = 60;

/** Fallback codes when an error response has no readable body. */
function codeForStatus(status: number): ErrorCode {
  switch (status) {
    case 400: return 'invalid_argument';
    case 401: return 'unauthenticated';
    case 403: return 'permission';
    case 404: return 'not_found';
    case 409: return 'conflict';
    case 410: return 'expired';
    case 413: return 'payload_too_large';
    case 429: return 'rate_limited';
    case 503: return 'service_unavailable';
    default: return 'internal';
  }
}

/** The server SDK for app backends (Node only): talks to the HTTP API under `/v1/`. */
export class OnairServer {
  private readonly baseUrl: string;
  private readonly apiKey: string;
  private readonly apiSecret: string;
  private readonly fetchImpl: typeof fetch;
  private readonly timeoutMs: number;
  /** Live broadcasts produced by this backend. */
  readonly live: ServerLive;
  /** Stages: create them, mint participant tokens, list and disconnect participants. */
  readonly stages: ServerStages;
  /** Stream rooms (`/v1/streams/rooms`): create, list, get, update, delete in any context. */
  readonly streams: ServerStreams;
  /** Yjs documents (`/v1/collab/documents`): read one, or apply an update as a client would. */
  readonly collab: ServerCollab;

  constructor(options: OnairServerOptions) {
    if (typeof options !== 'object' || options === null) {
      throw new OnairError('invalid_argument', 'OnairServer options are required');
    }
    let url: URL;
    try {
      url = new URL(options.url);
    } catch {
      throw new OnairError('invalid_argument', `url "${options.url}" is not an absolute URL`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new OnairError('invalid_argument', `url "${options.url}" must use http or https`);
    }
    this.baseUrl = url.toString().replace(/\/+$/, '');
    if (typeof options.apiKey !== 'string' || options.apiKey.length === 0) {
      throw new OnairError('invalid_argument', 'apiKey is required');
    }
    if (typeof options.apiSecret !== 'string' || options.apiSecret.length === 0) {
      throw new OnairError('invalid_argument', 'apiSecret is required');
    }
    this.apiKey = options.apiKey;
    this.apiSecret = options.apiSecret;
    const impl = options.fetch ?? globalThis.fetch;
    if (typeof impl !== 'function') {
      throw new OnairError('invalid_argument', 'no fetch implementation: pass {fetch}');
    }
    this.fetchImpl = impl;
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
      throw new OnairError('invalid_argument', 'timeoutMs must be a positive number');
    }
    this.timeoutMs = timeoutMs;
    this.live = new ServerLive((method, path, body) => this.request(method, path, body));
    this.stages = new ServerStages((method, path, body) => this.request(method, path, body));
    this.streams = new ServerStreams((method, path, body) => this.request(method, path, body));
    this.collab = new ServerCollab((method, path, body) => this.requestBytes(method, path, body));
  }

  /** Mints an access token for a client (`POST /v1/tokens`). */
  async createToken(options: CreateTokenOptions): Promise<CreatedToken> {
    if (typeof options !== 'object' || options === null) {
      throw new OnairError('invalid_argument', 'createToken options are required');
    }
    const { userId, ttl, grants, name, scope, attributes } = options;
    if (typeof userId !== 'string' || userId.length === 0) {
      throw new OnairError('invalid_argument', 'userId must be a non-empty string');
    }
    if (!Number.isInteger(ttl) || ttl <= 0) {
      throw new OnairError('invalid_argument', 'ttl must be a positive integer number of seconds');
    }
    if (!Array.isArray(grants)) {
      throw new OnairError('invalid_argument', 'grants must be an array of grant strings');
    }
    for (const grant of grants) parseGrant(grant); // fail early, with the server's wording rules
    const body: Record<string, unknown> = { userId, ttl, grants };
    if (name !== undefined) body['name'] = name;
    if (scope !== undefined) body['scope'] = scope;
    if (attributes !== undefined) body['attributes'] = attributes;
    const result = await this.request<CreatedToken>('POST', '/v1/tokens', body);
    if (typeof result?.token !== 'string' || typeof result?.expiresAt !== 'string') {
      throw new OnairError('internal', 'POST /v1/tokens: the reply lacks token or expiresAt');
    }
    return { token: result.token, expiresAt: result.expiresAt };
  }

  /** The room `name` as seen from the server API. Throws `invalid_argument` for a bad name. */
  room(name: string): ServerRoom {
    return new ServerRoom((method, path, body) => this.request(method, path, body), checkName('room', name));
  }

  /** The channel `name` as seen from the server API. */
  channel(name: string): ServerChannel {
    return new ServerChannel((method, path, body) => this.request(method, path, body), checkName('channel', name));
  }

  /** Counts for this onair instance (`GET /v1/stats`). */
  stats(): Promise<Stats> {
    return this.request<Stats>('GET', '/v1/stats');
  }

  /**
   * Calls the HTTP API with a fresh server JWT and returns the parsed JSON body (or undefined
   * for an empty body). Error responses throw OnairError from `{"error":{code,message,…}}`;
   * a network failure throws `service_unavailable`, a timeout throws `timeout`.
   */
  async request<T = any>(method: HttpMethod, path: string, body?: unknown): Promise<T> {
    const where = `${method} ${path}`;
    const payload = body === undefined ? undefined : { type: 'application/json', data: JSON.stringify(body) };
    const { response, bytes } = await this.exchange(method, path, 'application/json', payload);
    const text = new TextDecoder().decode(bytes);
    let parsed: unknown;
    if (text.length > 0) {
      try {
        parsed = JSON.parse(text);
      } catch {
        if (response.ok) throw new OnairError('internal', `${where}: the reply is not JSON`);
      }
    }
    if (response.ok) return parsed as T;
    throw this.failure(where, response, parsed);
  }

  /**
   * As request(), for routes whose bodies are bytes (application/octet-stream both ways, as
   * `server.collab` uses): sends `body` as is and returns the reply's bytes.
   */
  async requestBytes(method: HttpMethod, path: string, body?: Uint8Array): Promise<Uint8Array> {
    const where = `${method} ${path}`;
    const payload = body === undefined ? undefined : { type: 'application/octet-stream', data: body };
    const { response, bytes } = await this.exchange(method, path, 'application/octet-stream, application/json', payload);
    if (response.ok) return bytes;
    let parsed: unknown;
    try {
      parsed = JSON.parse(new TextDecoder().decode(bytes));
    } catch {
      parsed = undefined;
    }
    throw this.failure(where, response, parsed);
  }

  /** One HTTP exchange with a fresh server JWT; network failures and timeouts become OnairError. */
  private async exchange(method: HttpMethod, path: string, accept: string,
                         payload?: { type: string; data: string | Uint8Array }): Promise<{ response: Response; bytes: Uint8Array }> {
    if (typeof path !== 'string' || !path.startsWith('/')) {
      throw new OnairError('invalid_argument', 'path must start with "/"');
    }
    const headers: Record<string, string> = {
      Authorization: `Bearer ${createServerJwt(this.apiKey, this.apiSecret, SERVER_JWT_TTL_SECONDS)}`,
      Accept: accept,
    };
    const init: RequestInit = { method, headers, signal: AbortSignal.timeout(this.timeoutMs) };
    if (payload !== undefined) {
      headers['Content-Type'] = payload.type;
      init.body = payload.data as BodyInit;  // a Uint8Array is a BufferSource
    }
    try {
      const response = await this.fetchImpl(this.baseUrl + path, init);
      return { response, bytes: new Uint8Array(await response.arrayBuffer()) };
    } catch (err) {
      const where = `${method} ${path}`;
      if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) {
        throw new OnairError('timeout', `${where}: no reply within ${this.timeoutMs} ms`, { cause: err });
      }
      throw new OnairError('service_unavailable', `${where}: cannot reach ${this.baseUrl}`, { cause: err });
    }
  }

  /** The OnairError for a failed reply: from its `{"error":…}` body, else from its status. */
  private failure(where: string, response: Response, parsed: unknown): OnairError {
    const errorBody = (parsed as { error?: unknown } | undefined)?.error;
    const fallback = codeForStatus(response.status);
    if (errorBody !== undefined) return OnairError.fromWire(errorBody, fallback);
    const retryAfter = Number(response.headers.get('retry-after'));
    return new OnairError(fallback, `${where}: HTTP ${response.status}`, {
      ...(Number.isFinite(retryAfter) && retryAfter > 0 ? { retryAfterMs: retryAfter * 1000 } : {}),
      details: { status: response.status },
    });
  }
}
