/**
 * Shapes of the rooms and channels surface (docs/protocol.md, "Rooms and channels"), shared by
 * the client (WebSocket) and the server SDK (HTTP API). Types and small pure helpers only: this
 * module is part of the client's import graph and must run in browsers.
 */
import { OnairError } from './OnairError.js';

/** The position of a stream: its newest stored message (`offset` 0 when empty). */
export interface Position {
  offset: number;
  /** Changes only when the stream is destroyed and made again. */
  epoch: string;
}

/**
 * A message of a room or channel. Stored messages (from `publish`) carry `offset` and `epoch`;
 * broadcast ones do not.
 */
export interface Message<T = unknown> {
  type: string;
  data: T;
  /** The publishing user id, or `null` for the server API. */
  publisher: string | null;
  /** Milliseconds since the epoch. */
  timestamp: number;
  offset?: number;
  epoch?: string;
}

/** One user in a room (a user with several joined connections is one member). */
export interface Member {
  userId: string;
  name: string | null;
  metadata: Record<string, unknown>;
  presence: unknown;
  connections: number;
  /** ISO 8601. */
  joinedAt: string;
  [key: string]: unknown;
}

export type HistoryDirection = 'backward' | 'forward';

export interface HistoryOptions {
  /** 1 to 1000 (default 50). */
  limit?: number;
  /** The `cursor` a previous page returned. `null`/`undefined` start from the newest (or oldest). */
  cursor?: string | null;
  /** `backward` (newest first, the default) or `forward`. */
  direction?: HistoryDirection;
}

export interface HistoryPage<T = unknown> {
  messages: Message<T>[];
  /** Pass it back for the next page; `null` when there is none. */
  cursor: string | null;
  position: Position;
}

export interface PublishOptions<T = unknown> {
  /** 1 to 128 bytes. */
  type: string;
  data?: T;
  /** Retries with the same key store the message once (the reply then has `duplicate: true`). */
  idempotencyKey?: string;
}

export interface BroadcastOptions<T = unknown> {
  type: string;
  data?: T;
}

export interface PublishResult {
  offset: number;
  epoch: string;
  timestamp: number;
  /** true when the idempotency key had already stored this message. */
  duplicate: boolean;
}

export interface MetadataResult<M = Record<string, unknown>> {
  room: string;
  metadata: M;
  /** 0 for a room never written. */
  version: number;
  updatedAt: string | number | null;
}

export interface MetadataWrite<M = Record<string, unknown>> {
  /** Replaces the whole metadata object. */
  metadata: M;
  /** Write only if the stored version is still this one, else `conflict`. */
  version?: number;
}

export interface Snapshot<T = unknown> {
  room: string;
  members: Member[];
  /** The room's shared metadata, with its version (as `room.metadata()` returns it). */
  metadata: MetadataResult;
  /** The newest stored messages, oldest first. */
  messages: Message<T>[];
  position: Position;
}

export interface SnapshotOptions {
  /** 1 to 1000 (default 20). */
  limit?: number;
}

export interface MembersResult {
  members: Member[];
}

export interface PresenceEntry {
  userId: string;
  presence: unknown;
}

export interface PresenceList {
  presence: PresenceEntry[];
}

export interface ChannelStats {
  channel: string;
  subscribers: number;
  messages: number;
  position: Position;
}

/** Instance-wide counts (`sys.stats`, `GET /v1/stats`). */
export interface Stats {
  rooms: number;
  channels: number;
  members: number;
  connections: number;
  messages: { stored: number; delivered: number };
  [key: string]: unknown;
}

const NAME_RE = /^[A-Za-z0-9_\-.:@=]{1,255}$/;

/** Throws `invalid_argument` unless `name` is a valid room or channel name. */
export function checkName(kind: 'room' | 'channel', name: unknown): string {
  if (typeof name !== 'string' || !NAME_RE.test(name)) {
    throw new OnairError(
      'invalid_argument',
      `${kind} name must be 1 to 255 characters of A-Z a-z 0-9 _ - . : @ = (got ${JSON.stringify(name)})`,
    );
  }
  return name;
}

/** Throws `invalid_argument` unless `value` is a non-null object (not an array). */
export function checkObject(what: string, value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new OnairError('invalid_argument', `${what} must be an object`);
  }
  return value as Record<string, unknown>;
}

/** Copies the listed keys whose value is neither `undefined` nor `null`. */
export function pick(source: Record<string, unknown> | undefined, keys: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!source) return out;
  for (const key of keys) {
    const value = source[key];
    if (value !== undefined && value !== null) out[key] = value;
  }
  return out;
}

/** Validates the common arguments of publish/broadcast and returns the wire args. */
export function messageArgs(op: string, options: unknown, withKey: boolean): Record<string, unknown> {
  const o = checkObject(`${op} options`, options);
  if (typeof o['type'] !== 'string' || o['type'].length === 0) {
    throw new OnairError('invalid_argument', `${op}: type must be a non-empty string`);
  }
  const args: Record<string, unknown> = { type: o['type'] };
  if (o['data'] !== undefined) args['data'] = o['data'];
  if (withKey && o['idempotencyKey'] !== undefined && o['idempotencyKey'] !== null) {
    if (typeof o['idempotencyKey'] !== 'string' || o['idempotencyKey'].length === 0) {
      throw new OnairError('invalid_argument', `${op}: idempotencyKey must be a non-empty string`);
    }
    args['idempotencyKey'] = o['idempotencyKey'];
  }
  return args;
}

/** Wire args of history: `limit`, `cursor`, `direction` when given. */
export function historyArgs(options: HistoryOptions | undefined): Record<string, unknown> {
  if (options !== undefined) checkObject('history options', options);
  return pick(options as Record<string, unknown> | undefined, ['limit', 'cursor', 'direction']);
}
