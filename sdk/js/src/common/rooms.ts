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

/** `room.send`: a message for one member (`to`, a user id), delivered to its connections alone. */
export interface SendOptions<T = unknown> {
  to: string;
  type: string;
  data?: T;
}

/** A message sent to this user alone (`room.send`); never stored. */
export interface DirectMessage<T = unknown> {
  type: string;
  data: T;
  /** The sender's user id. */
  from: string;
  /** The sending connection's session id (which of the sender's tabs sent it). */
  fromSession: string;
  /** ms since the epoch, set by the server. */
  timestamp: number;
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
  /**
   * One page of the wire reply has it: pass it back for the next page; `null` when there is
   * none. `snapshot()` fetches every page itself and returns `null` here.
   */
  cursor?: string | null;
}

export interface SnapshotOptions {
  /** 1 to 1000 (default 20). */
  limit?: number;
}

export interface MembersResult {
  members: Member[];
  /** Pass it to `membersPage()` for the next page; `null` when there is none. */
  cursor?: string | null;
}

export interface MembersPageOptions {
  /** Members per page, 1 to 1000 (default 100; a page may hold fewer to stay small). */
  limit?: number;
  /** The `cursor` a previous page returned; `null`/`undefined` start from the first member. */
  cursor?: string | null;
}

export interface PresenceEntry {
  userId: string;
  presence: unknown;
}

export interface PresenceList {
  presence: PresenceEntry[];
  /** Pass it to `presencePage()` for the next page; `null` when there is none. */
  cursor?: string | null;
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

/** Wire args of a members page: `limit`, `cursor` when given. */
export function membersPageArgs(options: MembersPageOptions | undefined): Record<string, unknown> {
  if (options !== undefined) checkObject('members page options', options);
  return pick(options as Record<string, unknown> | undefined, ['limit', 'cursor']);
}

/**
 * Follows `cursor` from `first` to the last page (the server pages member lists so no reply
 * outgrows a connection's send queue) and returns every item of `key`, in join order.
 */
export async function allPages<K extends string, Item>(
  key: K,
  first: { [P in K]: Item[] } & { cursor?: string | null },
  next: (cursor: string) => Promise<{ [P in K]: Item[] } & { cursor?: string | null }>,
): Promise<Item[]> {
  const items = [...(first[key] ?? [])];
  let cursor = first.cursor;
  while (typeof cursor === 'string') {
    const page = await next(cursor);
    items.push(...(page[key] ?? []));
    cursor = page.cursor;
  }
  return items;
}

/**
 * Follows a snapshot's `cursor` to the last page: members are appended (join order), the older
 * messages of later pages go in front (oldest first overall); metadata and position stay the
 * first page's.
 */
export async function wholeSnapshot<T>(first: Snapshot<T>, next: (cursor: string) => Promise<Snapshot<T>>): Promise<Snapshot<T>> {
  if (typeof first.cursor !== 'string') return first;
  const members = [...(first.members ?? [])];
  let messages = first.messages ?? [];
  let cursor: string | null | undefined = first.cursor;
  while (typeof cursor === 'string') {
    const page = await next(cursor);
    members.push(...(page.members ?? []));
    messages = [...(page.messages ?? []), ...messages];
    cursor = page.cursor;
  }
  return { ...first, members, messages, cursor: null };
}
