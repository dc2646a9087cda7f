import { Emitter } from '../common/Emitter.js';
import { OnairError } from '../common/OnairError.js';
import { decodeBinaryFrame } from '../common/binaryFrame.js';
import { connectUrl, httpUrl } from './url.js';
import { Channel, Room } from './rooms.js';
import { Live } from './live.js';
import { Collab } from './collab.js';
import { Stage } from './stage.js';
import { Streams } from './streams.js';
import { checkStageId } from '../common/stage.js';
import { checkName, type Stats } from '../common/rooms.js';
import type {
  ClientState,
  ConnectOptions,
  LifecycleEvent,
  LifecycleEvents,
  MediaOptions,
  RequestOptions,
  ServerEventHandler,
  Session,
  TokenFetcher,
  TokenSource,
  WebSocketConstructor,
  WebSocketLike,
} from './types.js';

const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;
const DEFAULT_MIN_DELAY_MS = 250;
const DEFAULT_MAX_DELAY_MS = 10_000;
const DEFAULT_PING_INTERVAL_MS = 20_000;
const DEFAULT_PING_TIMEOUT_MS = 10_000;
/** How long close() waits for the closing handshake before dropping the socket. */
const CLOSE_WAIT_MS = 2_000;
/** Close codes that mean this client sent something the server could not accept. */
const CLIENT_BUG_CLOSE_CODES = new Set([1002, 1007, 1008, 1009]);
const CLOSE_AUTH_FAILED = 4003;
const CLOSE_TOKEN_EXPIRED = 4011;
/** Refresh the token this long before it expires at most, … */
const REFRESH_MARGIN_MAX_MS = 30_000;
/** … and at least this share of its lifetime before (short-lived tokens). */
const REFRESH_MARGIN_SHARE = 0.15;
/** Never refresh sooner than this after the previous token arrived (no tight loops). */
const MIN_REFRESH_DELAY_MS = 500;
/** After a failed refresh, try again this long later at most (while the token lasts). */
const REFRESH_RETRY_MS = 5_000;
/** setTimeout's longest delay; later refreshes are reached in steps. */
const MAX_TIMER_MS = 2 ** 31 - 1;
const WS_OPEN = 1;

const LIFECYCLE_EVENTS: ReadonlySet<string> = new Set<LifecycleEvent>([
  'connected',
  'disconnected',
  'reconnecting',
  'error',
]);

type Timer = ReturnType<typeof setTimeout>;

interface Outgoing {
  id: number;
  op: string;
  frame: string;
  resolve: (result: any) => void;
  reject: (error: OnairError) => void;
  timer: Timer | undefined;
  /** Runs synchronously when the reply arrives, before any later frame is handled. */
  onResult?: (result: any) => void;
}

/** Called after a reconnect, before queued requests are flushed and before `connected` fires. */
export type ReconnectHook = (session: Session) => void | Promise<void>;

function disconnectedError(detail: string): OnairError {
  return new OnairError('disconnected', `connection closed: ${detail}`);
}

function describeClose(code: number, reason: string): string {
  return reason ? `${code} ${reason}` : String(code);
}

/**
 * A connection to onair. Create it with `connect()`.
 *
 * Requests issued while the client is reconnecting are queued and sent once the new connection
 * is authenticated (their timeout keeps running). Requests in flight when a connection drops
 * reject with `disconnected`: the client cannot know whether the server applied them.
 */
export class OnairClient {
  /** The result of the latest successful `connect` request. */
  session!: Session;
  /** Live broadcasts: publish, attach, heartbeat, release, resolve. */
  readonly live: Live;
  /** Collab credentials: Hocuspocus room tokens and TURN credentials. */
  readonly collab: Collab;
  /** Stream rooms inside contexts: create, list, update, delete, join, leave, events. */
  readonly streams: Streams;

  /** The nodes' WebSocket endpoints, and the one the next attempt uses. */
  private readonly wsUrls: string[];
  private urlIndex = 0;
  private readonly tokenSource: TokenSource | undefined;
  /** Where fresh tokens come from (refresh and reconnect): getToken, else a token function. */
  private readonly tokenFetcher: TokenFetcher | undefined;
  private readonly WebSocketImpl: WebSocketConstructor;
  private readonly requestTimeoutMs: number;
  private readonly reconnectEnabled: boolean;
  private readonly minDelayMs: number;
  private readonly maxDelayMs: number;

  private currentState: ClientState = 'connecting';
  private readonly lifecycle = new Emitter<LifecycleEvents>();
  private readonly serverEvents = new Emitter<Record<string, [data: any, target: string | undefined]>>();
  private readonly reconnectHooks: ReconnectHook[] = [];
  private readonly reportedCloseCodes = new Set<number>();
  private readonly rooms = new Map<string, Room>();
  private readonly channels = new Map<string, Channel>();
  private readonly stages = new Map<string, Stage>();
  /** Binary frame targets claimed by a surface (Yjs rooms), with their handlers. */
  private readonly binaryTargets = new Map<string, (payload: Uint8Array) => void>();

  private ws: WebSocketLike | null = null;
  /** The token of the latest successful connect. */
  private token: string | undefined;
  /** True once the current socket's `connect` request succeeded. */
  private established = false;
  private nextId = 1;
  /** Requests sent on the current socket and awaiting a reply, by id. */
  private readonly inFlight = new Map<number, Outgoing>();
  /** Requests waiting for a connection. */
  private readonly queue: Outgoing[] = [];

  private closedByUser = false;
  private reconnectTimer: Timer | undefined;
  private wakeReconnect: (() => void) | undefined;
  private reconnecting = false;

  /** Largest request frame the server accepts, in UTF-8 bytes (from the session's limits). */
  private maxRequestBytes: number | undefined;
  private refreshTimer: Timer | undefined;
  /** When (Date.now()) the current token should be refreshed, and when it expires. */
  private refreshAt = 0;
  private tokenExpiresAt = 0;

  private keepaliveTimer: ReturnType<typeof setInterval> | undefined;
  private lastReceivedAt = 0;
  private pingInFlight = false;
  private closePromise: Promise<void> | undefined;

  /** @internal How stream peer connections reach onair (ConnectOptions.media). */
  readonly mediaOptions: MediaOptions;

  /** @internal Use `connect()`. */
  constructor(options: ConnectOptions) {
    if (typeof options !== 'object' || options === null) {
      throw new OnairError('invalid_argument', 'connect options are required');
    }
    const urls = Array.isArray(options.url) ? options.url : [options.url];
    if (urls.length === 0) throw new OnairError('invalid_argument', 'url: give at least one server URL');
    this.wsUrls = urls.map((u) => connectUrl(u));
    if (options.getToken !== undefined && typeof options.getToken !== 'function') {
      throw new OnairError('invalid_argument', 'getToken must be a function returning a token');
    }
    const tokenGiven = typeof options.token === 'string' || typeof options.token === 'function';
    if (!tokenGiven && !(options.token === undefined && options.getToken)) {
      throw new OnairError('invalid_argument', 'token must be a string or a function returning one (or pass getToken)');
    }
    this.tokenSource = options.token;
    this.tokenFetcher = options.getToken ?? (typeof options.token === 'function' ? options.token : undefined);
    const impl =
      options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
    if (typeof impl !== 'function') {
      throw new OnairError(
        'invalid_argument',
        'no WebSocket implementation: pass {WebSocket} (in Node, the `ws` package)',
      );
    }
    this.WebSocketImpl = impl as WebSocketConstructor;
    this.requestTimeoutMs = positive(options.requestTimeoutMs, DEFAULT_REQUEST_TIMEOUT_MS, 'requestTimeoutMs');
    const reconnect = options.reconnect ?? true;
    this.reconnectEnabled = reconnect !== false;
    const r = typeof reconnect === 'object' ? reconnect : {};
    this.minDelayMs = positive(r.minDelayMs, DEFAULT_MIN_DELAY_MS, 'reconnect.minDelayMs');
    this.maxDelayMs = Math.max(this.minDelayMs, positive(r.maxDelayMs, DEFAULT_MAX_DELAY_MS, 'reconnect.maxDelayMs'));
    this.mediaOptions = { ...(options.media ?? {}) };
    if (this.mediaOptions.iceTransportPolicy !== undefined && !['all', 'relay'].includes(this.mediaOptions.iceTransportPolicy)) {
      throw new OnairError('invalid_argument', "media.iceTransportPolicy must be 'all' or 'relay'");
    }
    this.live = new Live(this);
    this.collab = new Collab(this);
    this.streams = new Streams(this);
  }

  get state(): ClientState {
    return this.currentState;
  }

  /**
   * Sends a request and resolves with its `result`. Rejects with the server's error code,
   * `timeout` after `timeoutMs` (default `requestTimeoutMs`), or `disconnected`.
   */
  request<T = any>(op: string, args?: object, options: RequestOptions = {}): Promise<T> {
    return this.enqueue<T>(op, args, options, undefined);
  }

  /**
   * @internal Like `request`, but `onResult` runs synchronously as the reply is handled, before
   * the promise settles and before any later frame: surfaces use it to be ready for frames that
   * follow the reply at once (portal-relay chunks after an attach). If it throws, the request
   * rejects with that error.
   */
  requestWithResult<T = any>(op: string, args: object, onResult: (result: T) => void, options: RequestOptions = {}): Promise<T> {
    return this.enqueue<T>(op, args, options, onResult);
  }

  /**
   * @internal Sends one binary frame on the current connection. Returns false (the frame is
   * dropped) when no authenticated connection is open.
   */
  sendBinary(frame: Uint8Array): boolean {
    const ws = this.ws;
    if (!ws || !this.established || ws.readyState !== WS_OPEN) return false;
    if (this.maxRequestBytes !== undefined && frame.byteLength > this.maxRequestBytes) {
      // Sending it would close the connection with 1009.
      throw new OnairError(
        'payload_too_large',
        `a ${frame.byteLength}-byte binary frame is over this server's limit of ${this.maxRequestBytes} bytes (limits.maxMessageBytes)`,
      );
    }
    try {
      ws.send(frame);
      return true;
    } catch {
      return false;
    }
  }

  /**
   * @internal Binary frames whose target is exactly `target` go to `handler` (their payload, a
   * view into the frame) instead of the portal relay. One handler per target; throws `conflict`
   * while another holds it. Returns a remover.
   */
  routeBinary(target: string, handler: (payload: Uint8Array) => void): () => void {
    if (this.binaryTargets.has(target)) {
      throw new OnairError('conflict', `binary frames for ${target} already go to another handler on this client`);
    }
    this.binaryTargets.set(target, handler);
    return () => {
      if (this.binaryTargets.get(target) === handler) this.binaryTargets.delete(target);
    };
  }

  /** @internal Bytes queued on the current socket and not yet sent, when the WebSocket says. */
  get bufferedAmount(): number {
    const amount = this.ws?.bufferedAmount;
    return typeof amount === 'number' ? amount : 0;
  }

  private enqueue<T>(op: string, args: object | undefined, options: RequestOptions, onResult: ((result: T) => void) | undefined): Promise<T> {
    if (this.currentState === 'closed') {
      return Promise.reject(disconnectedError('the client is closed'));
    }
    if (typeof op !== 'string' || op.length === 0) {
      return Promise.reject(new OnairError('invalid_argument', 'op must be a non-empty string'));
    }
    if (args !== undefined && (typeof args !== 'object' || args === null || Array.isArray(args))) {
      return Promise.reject(new OnairError('invalid_argument', `${op}: args must be an object`));
    }
    let timeoutMs: number;
    try {
      timeoutMs = positive(options.timeoutMs, this.requestTimeoutMs, 'timeoutMs');
    } catch (err) {
      return Promise.reject(err);
    }
    const id = this.nextId++;
    let frame: string;
    try {
      frame = JSON.stringify(args === undefined ? { id, op } : { id, op, args });
    } catch (err) {
      return Promise.reject(
        new OnairError('invalid_argument', `${op}: args are not JSON-serialisable`, { cause: err }),
      );
    }
    return new Promise<T>((resolve, reject) => {
      const out: Outgoing = { id, op, frame, resolve, reject, timer: undefined };
      if (onResult) out.onResult = onResult;
      out.timer = setTimeout(() => {
        this.forget(out);
        reject(new OnairError('timeout', `${op}: no reply within ${timeoutMs} ms`));
      }, timeoutMs);
      if (this.established && this.ws) this.transmit(out);
      else this.queue.push(out);
    });
  }

  /**
   * Adds a handler for a lifecycle event (`connected`, `disconnected`, `reconnecting`, `error`)
   * or for a server event by name (`room.message` …; the handler gets `(data, target)`).
   * Returns a function that removes the handler.
   */
  on<K extends LifecycleEvent>(event: K, handler: (...args: LifecycleEvents[K]) => void): () => void;
  on<E extends string>(event: E extends LifecycleEvent ? never : E, handler: ServerEventHandler): () => void;
  on(event: string, handler: (...args: any[]) => void): () => void {
    if (LIFECYCLE_EVENTS.has(event)) return this.lifecycle.on(event as LifecycleEvent, handler);
    return this.serverEvents.on(event, handler);
  }

  once<K extends LifecycleEvent>(event: K, handler: (...args: LifecycleEvents[K]) => void): () => void;
  once<E extends string>(event: E extends LifecycleEvent ? never : E, handler: ServerEventHandler): () => void;
  once(event: string, handler: (...args: any[]) => void): () => void {
    if (LIFECYCLE_EVENTS.has(event)) return this.lifecycle.once(event as LifecycleEvent, handler);
    return this.serverEvents.once(event, handler);
  }

  off(event: string, handler: (...args: any[]) => void): void {
    if (LIFECYCLE_EVENTS.has(event)) this.lifecycle.off(event as LifecycleEvent, handler);
    else this.serverEvents.off(event, handler);
  }

  /**
   * The room `name` (members, presence, metadata, snapshots, messages). The same name always
   * gives the same object. Throws `invalid_argument` for a name the server would refuse.
   */
  room(name: string): Room {
    let room = this.rooms.get(name);
    if (!room) {
      room = new Room(this, checkName('room', name));
      this.rooms.set(name, room);
    }
    return room;
  }

  /** The channel `name` (a message stream with history and stats); same name, same object. */
  channel(name: string): Channel {
    let channel = this.channels.get(name);
    if (!channel) {
      channel = new Channel(this, checkName('channel', name));
      this.channels.set(name, channel);
    }
    return channel;
  }

  /**
   * The stage `stageId` (statuses, requests to join, host controls, stream announcements). The
   * same id always gives the same object. Throws `invalid_argument` for an id the server would
   * refuse.
   */
  stage(stageId: string): Stage {
    let stage = this.stages.get(stageId);
    if (!stage) {
      stage = new Stage(this, checkStageId('stage', stageId));
      this.stages.set(stageId, stage);
    }
    return stage;
  }

  /** Counts for this onair instance (`sys.stats`). */
  stats(): Promise<Stats> {
    return this.request<Stats>('sys.stats', {});
  }

  /**
   * @internal For surfaces: `hook` runs after every reconnect, before queued requests are sent
   * and before `connected` fires, so re-subscriptions go out first. Returns a remover.
   */
  onReconnect(hook: ReconnectHook): () => void {
    this.reconnectHooks.push(hook);
    return () => {
      const index = this.reconnectHooks.indexOf(hook);
      if (index >= 0) this.reconnectHooks.splice(index, 1);
    };
  }

  /**
   * @internal The access token this client last connected with (for requests outside the
   * WebSocket, such as the `sendBeacon` release on page unload).
   */
  get lastToken(): string | undefined {
    return this.token;
  }

  /** @internal The HTTP URL of `path` on this server (same host and path prefix as the socket). */
  httpUrl(path: string): string {
    return httpUrl(this.wsUrl, path);
  }

  /**
   * Closes the connection with code 1000 and stops reconnecting. Pending and queued requests
   * reject with `disconnected`. Idempotent; resolves once the socket has closed.
   */
  close(): Promise<void> {
    if (this.closePromise) return this.closePromise;
    this.closedByUser = true;
    const wasEstablished = this.established;
    this.stopReconnectLoop();
    this.stopKeepalive();
    this.stopRefresh();
    const ws = this.ws;
    this.ws = null;
    this.established = false;
    this.currentState = 'closed';
    this.rejectAll(disconnectedError('closed by the client'));
    this.closePromise = ws ? closeSocket(ws) : Promise.resolve();
    if (wasEstablished) this.lifecycle.emit('disconnected', { code: 1000, reason: 'closed by the client' });
    return this.closePromise;
  }

  /** The endpoint of the current (or next) connection. */
  private get wsUrl(): string {
    return this.wsUrls[this.urlIndex];
  }

  /** After a failed attempt: the next attempt goes to the next listed node. */
  private nextUrl(): void {
    this.urlIndex = (this.urlIndex + 1) % this.wsUrls.length;
  }

  /**
   * @internal First connect: resolves once authenticated; rejects (and closes) on any failure.
   * With several URLs, each is tried once in turn while the failure is the node's (unreachable,
   * unavailable, no answer); a refused token is not retried elsewhere.
   */
  async start(): Promise<void> {
    try {
      for (let tried = 1; ; tried++) {
        try {
          await this.attempt(false);
          return;
        } catch (err) {
          const nodeFailure = err instanceof OnairError && (err.code === 'service_unavailable' || err.code === 'timeout');
          if (!nodeFailure || tried >= this.wsUrls.length || this.closedByUser) throw err;
          this.nextUrl();
        }
      }
    } catch (err) {
      this.currentState = 'closed';
      this.rejectAll(disconnectedError('the first connect failed'));
      throw err;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Connection attempts

  /** Opens a socket, authenticates it, and makes it current. Rejects with an OnairError. */
  private async attempt(resumed: boolean): Promise<void> {
    const token = await this.fetchToken(resumed);
    if (this.closedByUser) throw disconnectedError('closed by the client');

    let ws: WebSocketLike;
    try {
      ws = new this.WebSocketImpl(this.wsUrl);
    } catch (err) {
      throw new OnairError('invalid_argument', `cannot open a WebSocket to ${this.wsUrl}`, { cause: err });
    }
    ws.binaryType = 'arraybuffer';
    this.ws = ws;
    this.established = false;

    const session = await new Promise<Session>((resolve, reject) => {
      const id = this.nextId++;
      const out: Outgoing = {
        id,
        op: 'connect',
        frame: JSON.stringify({ id, op: 'connect', args: { token } }),
        resolve,
        reject,
        timer: undefined,
      };
      out.timer = setTimeout(() => {
        // Settle first: dropping the socket would otherwise reject this with `disconnected`.
        this.inFlight.delete(id);
        reject(new OnairError('timeout', `no connect reply from ${this.wsUrl} within ${this.requestTimeoutMs} ms`));
        this.discardSocket(ws, 4000, 'connect timeout');
      }, this.requestTimeoutMs);
      ws.onopen = () => {
        if (this.ws === ws) this.transmit(out);
      };
      ws.onmessage = (event: { data: unknown }) => this.handleMessage(ws, event.data);
      ws.onerror = () => {
        // A close event always follows; it carries the code.
      };
      ws.onclose = (event: { code?: number; reason?: string }) =>
        this.handleSocketClose(ws, event.code ?? 1006, event.reason ?? '');
      // Not yet sent: a close before `open` must still reject this attempt.
      this.inFlight.set(id, out);
    }).catch((err: unknown) => {
      if (this.ws === ws) this.discardSocket(ws, 1000, 'connect failed');
      if (err instanceof OnairError && err.code === 'disconnected' && !this.closedByUser) {
        throw new OnairError('service_unavailable', `cannot connect to ${this.wsUrl}: ${err.message}`, { cause: err });
      }
      throw err;
    });

    if (this.closedByUser || this.ws !== ws) throw disconnectedError('closed while connecting');
    this.established = true;
    this.session = session;
    this.token = token;
    this.currentState = 'connected';
    this.maxRequestBytes = requestLimitOf(session);
    this.startKeepalive(session);
    this.scheduleRefresh(session.expiresAt, session.serverTime);
    if (resumed) this.runReconnectHooks(session);
    this.flushQueue();
    this.lifecycle.emit('connected', { resumed, session });
  }

  /** The token for a connect: `token` first, a fresh one from getToken on reconnects. */
  private async fetchToken(reconnect: boolean): Promise<string> {
    const source = reconnect || this.tokenSource === undefined ? this.tokenFetcher ?? this.tokenSource : this.tokenSource;
    if (typeof source === 'string') return source;
    if (source === undefined) throw new OnairError('unauthenticated', 'no token: pass token or getToken');
    return this.callTokenFetcher(source);
  }

  /** After an established connection dropped: retries with full-jitter exponential backoff. */
  private async reconnectLoop(): Promise<void> {
    if (this.reconnecting) return;
    this.reconnecting = true;
    try {
      for (let attempt = 1; !this.closedByUser; attempt++) {
        const ceiling = Math.min(this.maxDelayMs, this.minDelayMs * 2 ** Math.min(attempt - 1, 30));
        const delayMs = Math.floor(Math.random() * ceiling);
        this.currentState = 'reconnecting';
        this.lifecycle.emit('reconnecting', { attempt, delayMs });
        await new Promise<void>((resume) => {
          this.wakeReconnect = resume;
          this.reconnectTimer = setTimeout(resume, delayMs);
        });
        this.reconnectTimer = undefined;
        this.wakeReconnect = undefined;
        if (this.closedByUser) return;
        try {
          await this.attempt(true);
          return;
        } catch (err) {
          if (this.closedByUser) return;
          this.nextUrl();
          const error = err instanceof OnairError ? err : new OnairError('internal', String(err), { cause: err });
          if (error.code === 'unauthenticated' && !this.tokenFetcher) {
            // The same token will keep failing; only a token function can get a new one.
            this.lifecycle.emit('error', error);
            this.finalClose();
            return;
          }
          if (error.code !== 'service_unavailable' && error.code !== 'timeout') {
            this.lifecycle.emit('error', error);
          }
        }
      }
    } finally {
      this.reconnecting = false;
    }
  }

  private stopReconnectLoop(): void {
    if (this.reconnectTimer !== undefined) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    const wake = this.wakeReconnect;
    this.wakeReconnect = undefined;
    wake?.();
  }

  /** Closed for good without close(): no reconnect possible. */
  private finalClose(): void {
    this.currentState = 'closed';
    this.stopKeepalive();
    this.rejectAll(disconnectedError('not reconnecting'));
  }

  private runReconnectHooks(session: Session): void {
    for (const hook of [...this.reconnectHooks]) {
      try {
        const result = hook(session);
        if (result && typeof (result as Promise<void>).then === 'function') {
          (result as Promise<void>).catch((err: unknown) => this.reportHookError(err));
        }
      } catch (err) {
        this.reportHookError(err);
      }
    }
  }

  private reportHookError(err: unknown): void {
    const error = err instanceof OnairError ? err : new OnairError('internal', `reconnect hook failed: ${String(err)}`, { cause: err });
    this.lifecycle.emit('error', error);
  }

  // ---------------------------------------------------------------------------------------------
  // Socket events

  private handleMessage(ws: WebSocketLike, data: unknown): void {
    if (ws !== this.ws) return;
    this.lastReceivedAt = Date.now();
    if (typeof data !== 'string') {
      // Binary frames: Yjs room messages and portal-relay chunks. With binaryType 'arraybuffer' browsers and `ws` give
      // an ArrayBuffer; a `ws` socket that kept its default gives a Buffer (a Uint8Array).
      let bytes: Uint8Array;
      if (data instanceof ArrayBuffer) bytes = new Uint8Array(data);
      else if (ArrayBuffer.isView(data)) bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
      else return;
      try {
        const frame = decodeBinaryFrame(bytes);
        const handler = this.binaryTargets.get(frame.target);
        if (handler) handler(frame.payload);
        else this.live.receiveFrame(frame);
      } catch (err) {
        const error = err instanceof OnairError ? err : new OnairError('internal', String(err), { cause: err });
        this.lifecycle.emit('error', error);
      }
      return;
    }
    let msg: unknown;
    try {
      msg = JSON.parse(data);
    } catch {
      this.lifecycle.emit('error', new OnairError('internal', 'the server sent a frame that is not JSON'));
      return;
    }
    if (typeof msg !== 'object' || msg === null) return;
    const frame = msg as Record<string, unknown>;
    if (typeof frame['event'] === 'string') {
      const target = typeof frame['target'] === 'string' ? frame['target'] : undefined;
      this.serverEvents.emit(frame['event'], frame['data'], target);
      return;
    }
    if (!('id' in frame)) return;
    const id = frame['id'];
    const out = typeof id === 'number' ? this.inFlight.get(id) : undefined;
    if (!out) {
      // `"id":null` answers a frame the server could not read (see protocol.md).
      if (frame['error'] !== undefined) {
        this.lifecycle.emit('error', OnairError.fromWire(frame['error']));
      }
      return;
    }
    this.inFlight.delete(out.id);
    clearTimeout(out.timer);
    if (frame['error'] !== undefined) {
      out.reject(OnairError.fromWire(frame['error']));
      return;
    }
    if (out.onResult) {
      try {
        out.onResult(frame['result']);
      } catch (err) {
        out.reject(err instanceof OnairError ? err : new OnairError('internal', `${out.op}: ${String(err)}`, { cause: err }));
        return;
      }
    }
    out.resolve(frame['result']);
  }

  private handleSocketClose(ws: WebSocketLike, code: number, reason: string): void {
    if (ws !== this.ws) return;
    this.dropCurrent(code, reason);
  }

  /** Forgets the current socket `ws` without waiting for its close event. */
  private discardSocket(ws: WebSocketLike, code: number, reason: string): void {
    if (ws !== this.ws) return;
    this.dropCurrent(code, reason);
    void closeSocket(ws, code, reason);
  }

  private dropCurrent(code: number, reason: string): void {
    const wasEstablished = this.established;
    this.ws = null;
    this.established = false;
    this.stopKeepalive();
    this.stopRefresh();
    // In-flight requests (and a pending `connect`) cannot be answered any more.
    const error = disconnectedError(describeClose(code, reason));
    for (const out of [...this.inFlight.values()]) {
      this.inFlight.delete(out.id);
      clearTimeout(out.timer);
      out.reject(error);
    }
    if (!wasEstablished) return; // a failed attempt: attempt() or the loop handles it
    this.lifecycle.emit('disconnected', { code, reason });
    if (this.closedByUser) return;
    if (CLIENT_BUG_CLOSE_CODES.has(code) && !this.reportedCloseCodes.has(code)) {
      this.reportedCloseCodes.add(code);
      this.lifecycle.emit(
        'error',
        new OnairError('invalid_argument', `the server closed the connection with ${describeClose(code, reason)}: the client sent something it could not accept`),
      );
    }
    if (!this.reconnectEnabled) {
      this.finalClose();
      return;
    }
    if ((code === CLOSE_AUTH_FAILED || code === CLOSE_TOKEN_EXPIRED) && !this.tokenFetcher) {
      // Reconnecting with the same token would be refused.
      this.lifecycle.emit(
        'error',
        new OnairError('unauthenticated', `the server closed the connection with ${describeClose(code, reason)}; pass getToken to refresh tokens`),
      );
      this.finalClose();
      return;
    }
    void this.reconnectLoop();
  }

  // ---------------------------------------------------------------------------------------------
  // Requests

  private transmit(out: Outgoing): void {
    const ws = this.ws;
    if (!ws || ws.readyState !== WS_OPEN) {
      this.forget(out);
      clearTimeout(out.timer);
      out.reject(disconnectedError('the socket is not open'));
      return;
    }
    // The server would close the connection (1009) for a larger message: refuse this one alone.
    const limit = this.established ? this.maxRequestBytes : undefined;
    if (limit !== undefined && exceedsUtf8Bytes(out.frame, limit)) {
      this.forget(out);
      clearTimeout(out.timer);
      out.reject(new OnairError('payload_too_large', `${out.op}: the request is over this server's limit of ${limit} bytes per message (limits.maxMessageBytes); send less`));
      return;
    }
    this.inFlight.set(out.id, out);
    try {
      ws.send(out.frame);
    } catch (err) {
      this.inFlight.delete(out.id);
      clearTimeout(out.timer);
      out.reject(new OnairError('disconnected', `${out.op}: send failed`, { cause: err }));
    }
  }

  private flushQueue(): void {
    const waiting = this.queue.splice(0);
    for (const out of waiting) this.transmit(out);
  }

  private forget(out: Outgoing): void {
    this.inFlight.delete(out.id);
    const index = this.queue.indexOf(out);
    if (index >= 0) this.queue.splice(index, 1);
  }

  private rejectAll(error: OnairError): void {
    const all = [...this.inFlight.values(), ...this.queue.splice(0)];
    this.inFlight.clear();
    for (const out of all) {
      clearTimeout(out.timer);
      out.reject(error);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Token refresh: shortly before the token expires, a fresh one from getToken goes to the
  // server with `refresh`, which moves the connection's deadline (the server closes an expired
  // connection with 4011). If refreshing keeps failing, that close comes and the reconnect
  // fetches a fresh token.

  /** Plans the next refresh of a token valid from `serverTime` (server clock) to `expiresAt`. */
  private scheduleRefresh(expiresAt: string, serverTime: string): void {
    this.stopRefresh();
    if (!this.tokenFetcher) return;
    const lifetimeMs = Date.parse(expiresAt) - Date.parse(serverTime);
    if (!Number.isFinite(lifetimeMs)) return;
    const now = Date.now();
    const marginMs = Math.min(REFRESH_MARGIN_MAX_MS, lifetimeMs * REFRESH_MARGIN_SHARE);
    this.tokenExpiresAt = now + lifetimeMs;
    this.refreshAt = now + Math.max(MIN_REFRESH_DELAY_MS, lifetimeMs - marginMs);
    this.armRefresh(this.refreshAt - now);
  }

  private armRefresh(delayMs: number): void {
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = undefined;
      const left = this.refreshAt - Date.now();
      if (left > 0) this.armRefresh(left); // a delay over setTimeout's range, reached in steps
      else void this.refreshToken();
    }, Math.min(Math.max(0, delayMs), MAX_TIMER_MS));
  }

  private async refreshToken(): Promise<void> {
    const ws = this.ws;
    const fetcher = this.tokenFetcher;
    if (!ws || !this.established || !fetcher) return;
    try {
      const token = await this.callTokenFetcher(fetcher);
      if (this.ws !== ws || !this.established) return;
      const result = await this.request<{ expiresAt: string; serverTime: string }>('refresh', { token });
      if (this.ws !== ws) return;
      this.token = token;
      this.session = { ...this.session, expiresAt: result.expiresAt };
      this.scheduleRefresh(result.expiresAt, result.serverTime);
    } catch (err) {
      if (this.ws !== ws || this.closedByUser) return;
      const error = err instanceof OnairError ? err : new OnairError('internal', `token refresh failed: ${String(err)}`, { cause: err });
      this.lifecycle.emit('error', error);
      if (error.code === 'unknown_op' || error.code === 'disconnected') return; // a server without refresh, or gone
      const left = this.tokenExpiresAt - Date.now();
      if (left <= 0) return; // the server closes with 4011; the reconnect gets a fresh token
      this.refreshAt = Date.now() + Math.max(MIN_REFRESH_DELAY_MS, Math.min(REFRESH_RETRY_MS, left / 2));
      this.armRefresh(this.refreshAt - Date.now());
    }
  }

  private async callTokenFetcher(fetcher: TokenFetcher): Promise<string> {
    let token: unknown;
    try {
      token = await fetcher();
    } catch (err) {
      if (err instanceof OnairError) throw err;
      throw new OnairError('unauthenticated', 'the token function failed', { cause: err });
    }
    if (typeof token !== 'string' || token.length === 0) {
      throw new OnairError('unauthenticated', 'the token function did not return a non-empty string');
    }
    return token;
  }

  private stopRefresh(): void {
    if (this.refreshTimer !== undefined) clearTimeout(this.refreshTimer);
    this.refreshTimer = undefined;
  }

  // ---------------------------------------------------------------------------------------------
  // Keepalive: browsers cannot see WebSocket pings, so the client checks liveness itself by
  // sending `sys.ping` after a silence and dropping the socket when no reply comes.

  private startKeepalive(session: Session): void {
    this.stopKeepalive();
    const interval = session.keepalive?.pingIntervalMs ?? DEFAULT_PING_INTERVAL_MS;
    const timeout = session.keepalive?.pingTimeoutMs ?? DEFAULT_PING_TIMEOUT_MS;
    if (!(interval > 0) || !(timeout > 0)) return;
    this.lastReceivedAt = Date.now();
    this.keepaliveTimer = setInterval(() => this.checkLiveness(interval, timeout), Math.max(250, interval / 2));
  }

  private checkLiveness(interval: number, timeout: number): void {
    const ws = this.ws;
    if (!ws || !this.established || this.pingInFlight) return;
    if (Date.now() - this.lastReceivedAt < interval) return;
    this.pingInFlight = true;
    this.request('sys.ping', {}, { timeoutMs: timeout })
      .catch((err: unknown) => {
        if (err instanceof OnairError && err.code === 'timeout' && this.ws === ws) {
          this.discardSocket(ws, 4000, 'keepalive timeout');
        }
      })
      .finally(() => {
        this.pingInFlight = false;
      });
  }

  private stopKeepalive(): void {
    if (this.keepaliveTimer !== undefined) clearInterval(this.keepaliveTimer);
    this.keepaliveTimer = undefined;
  }
}

/** The largest request a session accepts: one frame per message, so the smaller limit. */
function requestLimitOf(session: Session): number | undefined {
  const limits = session.limits;
  if (!limits) return undefined;
  const sizes = [limits.maxMessageBytes, limits.maxFrameBytes].filter((n) => typeof n === 'number' && n > 0);
  return sizes.length > 0 ? Math.min(...sizes) : undefined;
}

/** True when `text` takes more than `limit` bytes as UTF-8 (counted only when it could). */
function exceedsUtf8Bytes(text: string, limit: number): boolean {
  if (text.length * 3 <= limit) return false; // a UTF-16 unit is at most 3 UTF-8 bytes
  if (text.length > limit) return true; // and at least 1
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        i++;
      } else bytes += 3;
    } else bytes += 3;
    if (bytes > limit) return true;
  }
  return false;
}

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new OnairError('invalid_argument', `${name} must be a positive number`);
  }
  return value;
}

/**
 * Closes `ws` (code 1000 unless given) and resolves on its close event, or after CLOSE_WAIT_MS
 * by dropping it. Detaches the client's handlers first.
 */
function closeSocket(ws: WebSocketLike, code = 1000, reason = ''): Promise<void> {
  ws.onopen = null;
  ws.onmessage = null;
  ws.onerror = () => {};
  return new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      ws.onclose = null;
      try {
        if (ws.terminate) ws.terminate();
      } catch {
        // already gone
      }
      resolve();
    }, CLOSE_WAIT_MS);
    ws.onclose = () => {
      clearTimeout(timer);
      ws.onclose = null;
      resolve();
    };
    try {
      // Browsers only accept 1000 and 3000–4999 from applications.
      ws.close(code === 1000 || (code >= 3000 && code <= 4999) ? code : 1000, reason);
    } catch {
      clearTimeout(timer);
      resolve();
    }
    if (ws.readyState === 3 /* CLOSED */) {
      clearTimeout(timer);
      resolve();
    }
  });
}

/** Connects and authenticates. Rejects with `unauthenticated` if the token is refused. */
export async function connect(options: ConnectOptions): Promise<OnairClient> {
  const client = new OnairClient(options);
  await client.start();
  return client;
}
