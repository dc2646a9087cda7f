/**
 * Shapes of the live broadcasts surface (docs/protocol.md, "Live broadcasts"), shared by the
 * client (WebSocket) and the server SDK (HTTP API). Types and small pure helpers only: this module
 * is part of the client's import graph and must run in browsers.
 */
import { OnairError } from './OnairError.js';
import { checkObject } from './rooms.js';

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
// Layout (docs/protocol.md, "Binary frames"): [version = 1][flags][target length, u16 BE][target,
// UTF-8][payload]. flags: bit 0 = init (a codec header), bit 1 = key (a decoder can start here).

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

export const BINARY_FRAME_VERSION = 1;
export const CHUNK_FLAG_INIT = 1;
export const CHUNK_FLAG_KEY = 2;
/** The longest target (liveId) a binary frame carries, in UTF-8 bytes. */
export const MAX_BINARY_TARGET_BYTES = 255;

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder();

/** The bytes of `data` as a Uint8Array (no copy for views and ArrayBuffers). */
export function asBytes(op: string, data: unknown): Uint8Array {
  if (data instanceof Uint8Array) return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  throw new OnairError('invalid_argument', `${op}: bytes must be a Uint8Array, an ArrayBuffer or another ArrayBuffer view`);
}

/** Encodes a portal-relay chunk for `liveId` as one binary frame. */
export function encodeChunkFrame(liveId: string, payload: Uint8Array, options: LiveSendOptions = {}): Uint8Array {
  const target = utf8Encoder.encode(liveId);
  if (target.length === 0 || target.length > MAX_BINARY_TARGET_BYTES) {
    throw new OnairError('invalid_argument', `live.send: liveId must be 1 to ${MAX_BINARY_TARGET_BYTES} UTF-8 bytes`);
  }
  const flags = (options.init ? CHUNK_FLAG_INIT : 0) | (options.key ? CHUNK_FLAG_KEY : 0);
  const frame = new Uint8Array(4 + target.length + payload.length);
  frame[0] = BINARY_FRAME_VERSION;
  frame[1] = flags;
  frame[2] = (target.length >> 8) & 0xff;
  frame[3] = target.length & 0xff;
  frame.set(target, 4);
  frame.set(payload, 4 + target.length);
  return frame;
}

/** A decoded binary frame: its target (the liveId) and the chunk. */
export interface ChunkFrame {
  target: string;
  chunk: LiveChunk;
}

/** Decodes a binary frame; throws `internal` when the bytes are not one. */
export function decodeChunkFrame(frame: Uint8Array): ChunkFrame {
  if (frame.length < 4) throw new OnairError('internal', 'binary frame shorter than its 4-byte header');
  if (frame[0] !== BINARY_FRAME_VERSION) throw new OnairError('internal', `binary frame version ${frame[0]} is not 1`);
  const flags = frame[1]!;
  if (flags & ~(CHUNK_FLAG_INIT | CHUNK_FLAG_KEY)) throw new OnairError('internal', 'binary frame has unknown flags');
  const length = (frame[2]! << 8) | frame[3]!;
  if (length === 0 || 4 + length > frame.length) {
    throw new OnairError('internal', 'binary frame target length is 0 or past the end');
  }
  return {
    target: utf8Decoder.decode(frame.subarray(4, 4 + length)),
    chunk: {
      data: frame.subarray(4 + length),
      init: (flags & CHUNK_FLAG_INIT) !== 0,
      key: (flags & CHUNK_FLAG_KEY) !== 0,
    },
  };
}
