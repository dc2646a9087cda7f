import { Emitter } from '../common/Emitter.js';
import { OnairError } from '../common/OnairError.js';
import { checkObject } from '../common/rooms.js';
import {
  asBytes,
  checkLiveId,
  chunkOf,
  encodeChunkFrame,
  publishArgs,
  transportKinds,
  type LiveAttachOpts,
  type LiveChunk,
  type LiveEndInfo,
  type LiveHeartbeatResult,
  type LiveModalities,
  type LivePublishMeta,
  type LivePublishResult,
  type LiveResolveOpts,
  type LiveSendOptions,
  type LiveResolveResult,
  type LiveTransport,
  type LiveViewers,
} from '../common/live.js';
import type { BinaryFrame } from '../common/binaryFrame.js';
import type { OnairClient } from './OnairClient.js';

/** Events of one attached slot. */
export interface LiveAttachEvents {
  /** The producer's entry lapsed without a refresh (`live.expired`). */
  expired: [info: LiveEndInfo];
  /** The producer unpublished (`live.ended`). */
  ended: [info: LiveEndInfo];
  /**
   * Portal relay (a slot whose transport is `portal-relay`): a chunk from the producer, in the
   * order sent. Right after the attach come the latest init chunk and the chunks since the
   * latest key chunk. Chunks that arrive before the first `chunk` handler is added are kept and
   * handed to it (the latest init chunk and the chunks since the latest key chunk).
   */
  chunk: [chunk: LiveChunk];
}

/** Events of `client.live`. */
export interface LiveEvents {
  /** Viewer counts of a broadcast this connection publishes (`live.viewers`). */
  viewers: [info: LiveViewers];
  /** Every portal-relay chunk this connection receives, whichever slot it is for. */
  chunk: [liveId: string, chunk: LiveChunk];
}

/** A claimed slot on a broadcast (`live.attach`). Held until released or no longer heartbeaten. */
export interface LiveAttachHandle {
  attachId: string;
  transport: LiveTransport;
  widgetId?: string;
  /** ISO-8601; moved on by `client.live.heartbeat(attachId)`. */
  expiresAt: string;
  /** Idempotent; the SDK also releases on `pagehide` via `navigator.sendBeacon`. */
  release: () => Promise<void>;
  readonly liveId: string;
  modalities?: LiveModalities;
  /** Adds a handler; returns its remover. */
  on<K extends keyof LiveAttachEvents>(event: K, handler: (...args: LiveAttachEvents[K]) => void): () => void;
}

/** `client.live`: one producer publishes, many consumers attach. */
export interface LiveNamespace {
  /** Producer: announce, or refresh (about every 25 s, or before `expiresAt`). */
  publish(meta: LivePublishMeta): Promise<LivePublishResult>;
  /** Producer: end. Attached consumers get `ended`. */
  unpublish(liveId: string): Promise<{ ok: true }>;
  /** Consumer: claim a slot and negotiate the transport. */
  attach(liveId: string, opts?: LiveAttachOpts): Promise<LiveAttachHandle>;
  /** Consumer: release a slot (idempotent). */
  release(attachId: string): Promise<{ ok: true }>;
  /** Consumer: refresh a slot's TTL. */
  heartbeat(attachId: string): Promise<LiveHeartbeatResult>;
  /** Consumer: the producer's current transport, without claiming a slot. */
  url: { resolve(liveId: string, opts?: LiveResolveOpts): Promise<LiveResolveResult> };
  /**
   * Producer: sends one portal-relay chunk (a binary frame, target = liveId) to every viewer
   * attached with the `portal-relay` transport. Needs a publish offering `{kind: 'portal-relay'}`;
   * refused chunks come back as an `error` event on the client. Returns false, dropping the
   * chunk, when the client is not connected. Throws `payload_too_large` for a chunk over the
   * session's `limits` (sending it would close the connection).
   */
  send(liveId: string, bytes: Uint8Array | ArrayBuffer | ArrayBufferView, options?: LiveSendOptions): boolean;
  /** Producer: bytes queued on the socket and not yet sent (to skip chunks when it grows). */
  readonly bufferedAmount: number;
  /** Producer: viewer counts of its broadcasts. Returns the handler's remover. */
  on<K extends keyof LiveEvents>(event: K, handler: (...args: LiveEvents[K]) => void): () => void;
}

const RELEASE_PATH = '/v1/live/release';
/** Chunks a handle keeps while it has no `chunk` handler (past that it waits for a key chunk). */
const MAX_HELD_CHUNKS = 256;

function checkAttachId(op: string, attachId: unknown): string {
  if (typeof attachId !== 'string' || attachId.length === 0) {
    throw new OnairError('invalid_argument', `${op}: attachId must be a non-empty string`);
  }
  return attachId;
}

/** Codes meaning the slot is gone already, so a release has nothing left to do. */
function slotGone(err: unknown): boolean {
  return err instanceof OnairError && (err.code === 'not_found' || err.code === 'expired');
}

class AttachHandle implements LiveAttachHandle {
  readonly attachId: string;
  readonly liveId: string;
  transport: LiveTransport;
  widgetId?: string;
  expiresAt: string;
  modalities?: LiveModalities;
  /** @internal */
  readonly events = new Emitter<LiveAttachEvents>();
  /** @internal Set once a release was sent (or beaconed); cleared if it failed. */
  releasing: Promise<void> | undefined;
  private readonly live: Live;
  /** Portal-relay chunks waiting for the first `chunk` handler, in order. */
  private held: LiveChunk[] = [];
  /** Held chunks were trimmed: deltas are skipped until the next key chunk. */
  private heldAwaitsKey = false;
  private flushQueued = false;

  constructor(live: Live, result: Record<string, unknown>, liveId: string) {
    this.live = live;
    this.attachId = result['attachId'] as string;
    this.liveId = typeof result['liveId'] === 'string' ? result['liveId'] : liveId;
    this.transport = result['transport'] as LiveTransport;
    if (typeof result['widgetId'] === 'string') this.widgetId = result['widgetId'];
    this.expiresAt = result['expiresAt'] as string;
    const modalities = result['modalities'];
    if (typeof modalities === 'object' && modalities !== null) this.modalities = modalities as LiveModalities;
    // Methods handed around as values (`const { release } = handle`) keep working.
    this.release = this.release.bind(this);
  }

  release(): Promise<void> {
    return this.live.releaseHandle(this);
  }

  on<K extends keyof LiveAttachEvents>(event: K, handler: (...args: LiveAttachEvents[K]) => void): () => void {
    const off = this.events.on(event, handler);
    if (event === 'chunk' && this.held.length > 0) this.queueFlush();
    return off;
  }

  /** @internal Whether relayed chunks for this handle's liveId are for it. */
  get relay(): boolean {
    return this.transport?.kind === 'portal-relay' && this.releasing === undefined;
  }

  /** @internal A relayed chunk: to the handlers, or held until the first one is added. */
  deliver(chunk: LiveChunk): void {
    if (this.events.listenerCount('chunk') === 0) {
      this.hold(chunk);
    } else if (this.heldAwaitsKey && !chunk.init && !chunk.key) {
      // Held chunks were trimmed: a delta before the next key chunk cannot be decoded.
    } else if (this.held.length === 0) {
      if (chunk.key) this.heldAwaitsKey = false;
      this.events.emit('chunk', chunk);
    } else {
      // Held chunks are being handed over: this one goes after them, all of them kept.
      if (chunk.key) this.heldAwaitsKey = false;
      this.held.push(chunk);
      this.queueFlush();
    }
  }

  /** Keeps what a decoder needs to start: the latest init chunk and the chunks since the latest key. */
  private hold(chunk: LiveChunk): void {
    if (chunk.init) {
      this.held = [chunk, ...this.held.filter((c) => !c.init)];
      return;
    }
    if (chunk.key) {
      this.held = [...this.held.filter((c) => c.init).slice(-1), chunk];
      this.heldAwaitsKey = false;
      return;
    }
    if (this.heldAwaitsKey) return;
    this.held.push(chunk);
    if (this.held.length > MAX_HELD_CHUNKS) {
      this.held = this.held.filter((c) => c.init).slice(-1);
      this.heldAwaitsKey = true;
    }
  }

  /** Hands held chunks over after the handler's registration returns (and before later frames). */
  private queueFlush(): void {
    if (this.flushQueued) return;
    this.flushQueued = true;
    queueMicrotask(() => {
      this.flushQueued = false;
      while (this.held.length > 0 && this.events.listenerCount('chunk') > 0) {
        this.events.emit('chunk', this.held.shift()!);
      }
    });
  }

  /** The slot's data only (the handle refers back to the client, which JSON cannot hold). */
  toJSON(): Record<string, unknown> {
    const { attachId, liveId, transport, widgetId, expiresAt, modalities } = this;
    return { attachId, liveId, transport, widgetId, expiresAt, modalities };
  }
}

/**
 * Live broadcasts (`client.live`). Slots live on the server: after a reconnect, attached handles
 * stay as they are and the app keeps heartbeating them.
 */
export class Live implements LiveNamespace {
  readonly url: { resolve(liveId: string, opts?: LiveResolveOpts): Promise<LiveResolveResult> };
  private readonly client: OnairClient;
  private readonly events = new Emitter<LiveEvents>();
  /** Slots this client holds, by attachId. */
  private readonly handles = new Map<string, AttachHandle>();
  private pagehideWatched = false;

  /** @internal Use `client.live`. */
  constructor(client: OnairClient) {
    this.client = client;
    this.url = { resolve: (liveId, opts) => this.resolve(liveId, opts) };
    client.on('live.expired', (data: unknown, target: string | undefined) => this.ended('expired', data, target));
    client.on('live.ended', (data: unknown, target: string | undefined) => this.ended('ended', data, target));
    client.on('live.viewers', (data: unknown) => {
      if (typeof data === 'object' && data !== null) this.events.emit('viewers', data as LiveViewers);
    });
  }

  async publish(meta: LivePublishMeta): Promise<LivePublishResult> {
    const args = publishArgs(meta);
    const result = await this.client.request<LivePublishResult>('live.publish', args);
    return { ...result, ok: true };
  }

  async unpublish(liveId: string): Promise<{ ok: true }> {
    await this.client.request('live.unpublish', { liveId: checkLiveId('live.unpublish', liveId) });
    return { ok: true };
  }

  async attach(liveId: string, opts: LiveAttachOpts = {}): Promise<LiveAttachHandle> {
    const args: Record<string, unknown> = { liveId: checkLiveId('live.attach', liveId) };
    const o = checkObject('live.attach options', opts);
    const transports = transportKinds('live.attach', o['transports']);
    if (transports) args['transports'] = transports;
    if (o['modalities'] !== undefined && o['modalities'] !== null) {
      args['modalities'] = checkObject('live.attach: modalities', o['modalities']);
    }
    let handle: AttachHandle | undefined;
    // The handle exists as soon as the reply is read: portal-relay chunks follow it at once.
    await this.client.requestWithResult<Record<string, unknown>>('live.attach', args, (result) => {
      if (typeof result?.['attachId'] !== 'string' || typeof result['transport'] !== 'object' || result['transport'] === null) {
        throw new OnairError('internal', 'live.attach: the reply lacks attachId or transport');
      }
      handle = new AttachHandle(this, result, liveId);
      this.handles.set(handle.attachId, handle);
    });
    this.watchPagehide();
    return handle!;
  }

  async release(attachId: string): Promise<{ ok: true }> {
    checkAttachId('live.release', attachId);
    const handle = this.handles.get(attachId);
    if (handle) await this.releaseHandle(handle);
    else await this.sendRelease(attachId);
    return { ok: true };
  }

  async heartbeat(attachId: string): Promise<LiveHeartbeatResult> {
    checkAttachId('live.heartbeat', attachId);
    const result = await this.client.request<LiveHeartbeatResult>('live.heartbeat', { attachId });
    const handle = this.handles.get(attachId);
    if (handle && typeof result?.expiresAt === 'string') handle.expiresAt = result.expiresAt;
    return { ...result, ok: true };
  }

  async resolve(liveId: string, opts: LiveResolveOpts = {}): Promise<LiveResolveResult> {
    const args: Record<string, unknown> = { liveId: checkLiveId('live.resolve', liveId) };
    const transports = transportKinds('live.resolve', checkObject('live.resolve options', opts)['transports']);
    if (transports) args['transports'] = transports;
    const result = await this.client.request<LiveResolveResult>('live.resolve', args);
    return { ...result, ok: true };
  }

  send(liveId: string, bytes: Uint8Array | ArrayBuffer | ArrayBufferView, options: LiveSendOptions = {}): boolean {
    checkLiveId('live.send', liveId);
    const payload = asBytes('live.send', bytes);
    const o = checkObject('live.send options', options);
    return this.client.sendBinary(encodeChunkFrame(liveId, payload, { init: o['init'] === true, key: o['key'] === true }));
  }

  get bufferedAmount(): number {
    return this.client.bufferedAmount;
  }

  on<K extends keyof LiveEvents>(event: K, handler: (...args: LiveEvents[K]) => void): () => void {
    return this.events.on(event, handler);
  }

  once<K extends keyof LiveEvents>(event: K, handler: (...args: LiveEvents[K]) => void): () => void {
    return this.events.once(event, handler);
  }

  off<K extends keyof LiveEvents>(event: K, handler: (...args: LiveEvents[K]) => void): void {
    this.events.off(event, handler);
  }

  /**
   * @internal A decoded binary frame no other surface claimed: a portal-relay chunk for every
   * relay slot this client holds on its liveId.
   */
  receiveFrame(frame: BinaryFrame): void {
    const target = frame.target;
    const chunk = chunkOf(frame);
    this.events.emit('chunk', target, chunk);
    for (const handle of [...this.handles.values()]) {
      if (handle.liveId === target && handle.relay) handle.deliver(chunk);
    }
  }

  /** @internal One `live.release` per handle, however often it is asked for. */
  releaseHandle(handle: AttachHandle): Promise<void> {
    if (!handle.releasing) {
      const attempt = this.sendRelease(handle.attachId).then(
        () => {
          if (this.handles.get(handle.attachId) === handle) this.handles.delete(handle.attachId);
        },
        (err: unknown) => {
          // Still held (e.g. the connection dropped): a later release may try again.
          if (handle.releasing === attempt) handle.releasing = undefined;
          throw err;
        },
      );
      handle.releasing = attempt;
    }
    return handle.releasing;
  }

  private async sendRelease(attachId: string): Promise<void> {
    try {
      await this.client.request('live.release', { attachId });
    } catch (err) {
      if (!slotGone(err)) throw err;
    }
  }

  private ended(event: 'expired' | 'ended', data: unknown, target: string | undefined): void {
    const info = (typeof data === 'object' && data !== null ? data : {}) as LiveEndInfo;
    const attachId = target ?? info.attachId;
    const handle = attachId === undefined ? undefined : this.handles.get(attachId);
    if (!handle) return;
    handle.events.emit(event, { ...info, attachId: handle.attachId, liveId: info.liveId ?? handle.liveId });
  }

  /** In browsers: release every held slot when the page goes away (`navigator.sendBeacon`). */
  private watchPagehide(): void {
    if (this.pagehideWatched) return;
    if (typeof window === 'undefined' || typeof window.addEventListener !== 'function') return;
    this.pagehideWatched = true;
    window.addEventListener('pagehide', () => this.beaconReleaseAll());
  }

  private beaconReleaseAll(): void {
    const nav = typeof navigator === 'undefined' ? undefined : navigator;
    const token = this.client.lastToken;
    if (!nav || typeof nav.sendBeacon !== 'function' || !token || this.handles.size === 0) return;
    const url = this.client.httpUrl(RELEASE_PATH);
    for (const handle of [...this.handles.values()]) {
      let queued = false;
      try {
        // A string body goes out as text/plain, which needs no CORS preflight.
        queued = nav.sendBeacon(url, JSON.stringify({ attachId: handle.attachId, token }));
      } catch {
        queued = false;
      }
      if (!queued) continue;
      this.handles.delete(handle.attachId);
      handle.releasing ??= Promise.resolve();
    }
  }
}
