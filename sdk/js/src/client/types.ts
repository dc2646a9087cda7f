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

export interface ReconnectOptions {
  /** Base of the exponential backoff (default 250 ms). */
  minDelayMs?: number;
  /** Cap of the backoff (default 10 000 ms). */
  maxDelayMs?: number;
}

export interface ConnectOptions {
  /** Server base URL (`http://host:port`, `https://…`, `ws://…`); `/v1/connect` is appended. */
  url: string;
  token: TokenSource;
  /** WebSocket implementation; defaults to the global `WebSocket`. In Node 20 pass `ws`'s. */
  WebSocket?: WebSocketConstructor | (new (url: string, ...rest: any[]) => WebSocketLike);
  /** Default timeout for requests, including the `connect` request (default 10 000 ms). */
  requestTimeoutMs?: number;
  /** Reconnect after an unexpected close (default true). */
  reconnect?: boolean | ReconnectOptions;
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
  [key: string]: unknown;
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
