import type { OnairError } from '../common/OnairError.js';

/**
 * The part of the WebSocket API the client uses. Both the browser's `WebSocket` and the `ws`
 * package's `WebSocket` satisfy it.
 */
export interface WebSocketLike {
  readonly readyState: number;
  binaryType: string;
  /** Strings are text frames; bytes (portal-relay chunks) are binary frames. */
  send(data: string | ArrayBuffer | ArrayBufferView): void;
  /** Bytes queued and not yet sent (browsers and `ws` both have it). */
  readonly bufferedAmount?: number;
  close(code?: number, reason?: string): void;
  /** `ws` only: drops the TCP connection without a closing handshake. */
  terminate?: () => void;
  onopen: ((event: any) => void) | null;
  onmessage: ((event: any) => void) | null;
  onerror: ((event: any) => void) | null;
  onclose: ((event: any) => void) | null;
}

export type WebSocketConstructor = new (url: string) => WebSocketLike;

/** A token, or a function called before every (re)connect so expiring tokens can be refreshed. */
export type TokenSource = string | (() => string | Promise<string>);

/** A function that fetches a fresh access token for the same user (from your backend). */
export type TokenFetcher = () => string | Promise<string>;

export interface ReconnectOptions {
  /** Base of the exponential backoff (default 250 ms). */
  minDelayMs?: number;
  /** Cap of the backoff (default 10 000 ms). */
  maxDelayMs?: number;
}

export interface ConnectOptions {
  /**
   * Server base URL (`http://host:port`, `https://…`, `ws://…`); `/v1/connect` is appended. Several
   * nodes of one deployment may be listed: the client connects to the first that answers and,
   * when a connect fails, tries the next one (in turn) on its next attempt, so a client of a node
   * that died reconnects to another and resumes its rooms and channels from their positions.
   */
  url: string | string[];
  /**
   * The token for the first connect (or a function returning it). Optional when `getToken` is
   * given.
   */
  token?: TokenSource;
  /**
   * Fetches a fresh token for the same user. Called shortly before the current token expires
   * (the client sends it with `refresh`, so the connection stays open) and before every
   * reconnect. Without it, a `token` function is used the same way; with only a string token
   * the connection closes (4011) when the token expires.
   */
  getToken?: TokenFetcher;
  /** WebSocket implementation; defaults to the global `WebSocket`. In Node 20 pass `ws`'s. */
  WebSocket?: WebSocketConstructor | (new (url: string, ...rest: any[]) => WebSocketLike);
  /** Default timeout for requests, including the `connect` request (default 10 000 ms). */
  requestTimeoutMs?: number;
  /** Reconnect after an unexpected close (default true). */
  reconnect?: boolean | ReconnectOptions;
  /** How stream media (`client.streams` peer connections) reaches onair. */
  media?: MediaOptions;
}

export interface MediaOptions {
  /**
   * ICE servers for the stream peer connections. Default: onair's own TURN credentials
   * (`collab.turnCredentials`) when the server hands some out, else none (onair's UDP candidate
   * needs no STUN). TURN lets media through networks that block UDP to the server.
   */
  iceServers?: RTCIceServer[];
  /** `relay`: media only through TURN (networks that allow nothing else; tests). Default `all`. */
  iceTransportPolicy?: 'all' | 'relay';
}

export interface RequestOptions {
  timeoutMs?: number;
}

/** The result of the `connect` request. */
export interface Session {
  sessionId: string;
  userId: string;
  name?: string | null;
  scope?: string | null;
  expiresAt: string;
  serverTime: string;
  server?: { version: string; [key: string]: unknown };
  keepalive?: { pingIntervalMs: number; pingTimeoutMs: number };
  /** Size limits of this connection; a request over them is refused with `payload_too_large`. */
  limits?: SessionLimits;
  [key: string]: unknown;
}

/** The `limits` of the `connect` result. */
export interface SessionLimits {
  /** Largest message (after reassembling fragments), in bytes. */
  maxMessageBytes: number;
  /** Largest single frame, in bytes (a client sends each message as one frame). */
  maxFrameBytes: number;
  /** Bytes the server queues for this connection before closing it as a slow consumer (4008). */
  sendQueueBytes: number;
}

export type ClientState = 'connecting' | 'connected' | 'reconnecting' | 'closed';

export interface ConnectedInfo {
  /** false on the first connect, true after a reconnect. */
  resumed: boolean;
  session: Session;
}

export interface DisconnectedInfo {
  code: number;
  reason: string;
}

export interface ReconnectingInfo {
  /** 1 for the first attempt after a drop. */
  attempt: number;
  delayMs: number;
}

export interface LifecycleEvents {
  connected: [info: ConnectedInfo];
  disconnected: [info: DisconnectedInfo];
  reconnecting: [info: ReconnectingInfo];
  error: [error: OnairError];
}

export type LifecycleEvent = keyof LifecycleEvents;

/** Handler for a server event (`{"event","target","data"}`). */
export type ServerEventHandler = (data: any, target: string | undefined) => void;
