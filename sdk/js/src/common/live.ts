/**
 * Shapes of the live broadcasts surface (docs/protocol.md, "Live broadcasts"), shared by the
 * client (WebSocket) and the server SDK (HTTP API). Types and small pure helpers only: this module
 * is part of the client's import graph and must run in browsers.
 */
import { OnairError } from './OnairError.js';
import { checkObject } from './rooms.js';
import { encodeBinaryFrame, type BinaryFrame } from './binaryFrame.js';

/** How a consumer reaches a broadcast. The wire itself is the app's business. */
export type LiveTransport =
  | { kind: 'iframe-url'; url: string; allow?: string }
  | { kind: 'portal-relay' }
  | { kind: 'webrtc'; signalingChannelId: string };

export type LiveTransportKind = LiveTransport['kind'];

/** What a producer announces (`live.publish`). */
export interface LivePublishMeta {
  /** `<kind>:<id>`, e.g. `content:abc-123`; the kind must be registered on the server. */
  liveId: string;
  transports: LiveTransport[];
  widgetId?: string;
  /** ISO-8601. Without it the entry lapses about 30 s after its last publish. */
  expiresAt?: string;
  meta?: Record<string, unknown>;
}

/** The reply to a publish: `{ok: true}`, plus when the entry lapses unless published again. */
export interface LivePublishResult {
  ok: true;
  /** ISO-8601. */
  expiresAt?: string;
  [key: string]: unknown;
}

export interface LiveModalities {
  audioIn: boolean;
  audioOut: boolean;
}

export interface LiveAttachOpts {
  /** Preferred order; default iframe-url > portal-relay > webrtc. */
  transports?: Array<LiveTransport['kind']>;
  /** Realtime-voice direction; ignored by non-voice producers. */
  modalities?: LiveModalities;
}

export interface LiveResolveOpts {
  /** Preferred order, as for attach. */
  transports?: Array<LiveTransport['kind']>;
}

/** The producer's current transport (`live.resolve`); claims no slot. */
export interface LiveResolveResult {
  ok: true;
  transport: LiveTransport;
  widgetId?: string;
}

export interface LiveHeartbeatResult {
  ok: true;
  /** ISO-8601: the slot's new expiry. */
  expiresAt: string;
}

/** `live.expired` / `live.ended`: the broadcast behind an attached slot is gone. */
export interface LiveEndInfo {
  attachId: string;
  liveId: string;
}

/** `live.viewers`, sent to the producer's connections. */
export interface LiveViewers {
  liveId: string;
  total: number;
  byTransport: Partial<Record<LiveTransportKind, number>>;
}

/** Throws `invalid_argument` unless `liveId` is a non-empty string. */
export function checkLiveId(op: string, liveId: unknown): string {
  if (typeof liveId !== 'string' || liveId.length === 0) {
    throw new OnairError('invalid_argument', `${op}: liveId must be a non-empty string (<kind>:<id>)`);
  }
  return liveId;
}

/** Validates a publish and returns its wire args (`live.publish`, `POST /v1/live/publish`). */
export function publishArgs(meta: unknown): Record<string, unknown> {
  const m = checkObject('live.publish meta', meta);
  const args: Record<string, unknown> = { liveId: checkLiveId('live.publish', m['liveId']) };
  const transports = m['transports'];
  if (!Array.isArray(transports) || transports.length === 0) {
    throw new OnairError('invalid_argument', 'live.publish: transports must be a non-empty array');
  }
  transports.forEach((t, i) => {
    const kind = (t as { kind?: unknown } | null)?.kind;
    if (typeof t !== 'object' || t === null || typeof kind !== 'string') {
      throw new OnairError('invalid_argument', `live.publish: transports[${i}] must be an object with a kind`);
    }
  });
  args['transports'] = transports;
  for (const key of ['widgetId', 'expiresAt'] as const) {
    const value = m[key];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'string') throw new OnairError('invalid_argument', `live.publish: ${key} must be a string`);
    args[key] = value;
  }
  if (m['meta'] !== undefined && m['meta'] !== null) args['meta'] = checkObject('live.publish: meta', m['meta']);
  return args;
}

/** Validates a list of transport kinds (attach, resolve); returns it or undefined. */
export function transportKinds(op: string, value: unknown): LiveTransportKind[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.some((k) => typeof k !== 'string')) {
    throw new OnairError('invalid_argument', `${op}: transports must be an array of transport kinds`);
  }
  // Unknown kinds are left to the server, which answers unsupported_transport.
  return value as LiveTransportKind[];
}


// ---- portal relay: binary frames -------------------------------------------------------------
//
// Chunks travel in onair's binary frames (binaryFrame.ts) with the liveId as target. flags:
// bit 0 = init (a codec header), bit 1 = key (a decoder can start here).

/** One portal-relay chunk: the producer's bytes and its flags. */
export interface LiveChunk {
  /** The payload. A view into the received frame: copy it before changing it. */
  data: Uint8Array;
  /** A codec header (e.g. the first fragment of a fragmented MP4); kept for late joiners. */
  init: boolean;
  /** A chunk a decoder can start from; late joiners get the chunks since the latest one. */
  key: boolean;
}

/** Flags of a chunk a producer sends (`client.live.send`). */
export interface LiveSendOptions {
  init?: boolean;
  key?: boolean;
}

export const CHUNK_FLAG_INIT = 1;
export const CHUNK_FLAG_KEY = 2;

/** The bytes of `data` as a Uint8Array (no copy for views and ArrayBuffers). */
export function asBytes(op: string, data: unknown): Uint8Array {
  if (data instanceof Uint8Array) return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  throw new OnairError('invalid_argument', `${op}: bytes must be a Uint8Array, an ArrayBuffer or another ArrayBuffer view`);
}

/** Encodes a portal-relay chunk for `liveId` as one binary frame. */
export function encodeChunkFrame(liveId: string, payload: Uint8Array, options: LiveSendOptions = {}): Uint8Array {
  const flags = (options.init ? CHUNK_FLAG_INIT : 0) | (options.key ? CHUNK_FLAG_KEY : 0);
  return encodeBinaryFrame(liveId, payload, flags, 'live.send: liveId');
}

/** The chunk a decoded binary frame carries. */
export function chunkOf(frame: BinaryFrame): LiveChunk {
  return {
    data: frame.payload,
    init: (frame.flags & CHUNK_FLAG_INIT) !== 0,
    key: (frame.flags & CHUNK_FLAG_KEY) !== 0,
  };
}
