/**
 * Shapes of stream rooms (docs/protocol.md, "Stream rooms"; docs/http-api.md, "Stream rooms"),
 * shared by the client (WebSocket) and the server SDK (HTTP API), after PrivMX's StreamApi.
 * Types and small pure helpers only: this module is part of the client's import graph and must
 * run in browsers.
 */
import { OnairError } from './OnairError.js';

/** A stream room as the SDK returns it: metas as bytes. */
export interface StreamRoom {
  streamRoomId: string;
  contextId: string;
  users: string[];
  managers: string[];
  publicMeta: Uint8Array;
  privateMeta: Uint8Array;
  /** Opaque to the server; whatever the managers stored. */
  policy: Record<string, unknown>;
  /** Goes up by one on every update; pass it back to `updateStreamRoom`. */
  version: number;
  /** Milliseconds since the Unix epoch. */
  createdAt: number;
  updatedAt: number;
  /** The user who created it; null when the server API did. */
  creator: string | null;
  lastModifier: string | null;
  /** Starts at 1; each update with `forceGenerateNewKey` adds one. */
  keyGeneration: number;
}

export interface StreamRoomList {
  readItems: StreamRoom[];
  totalAvailable: number;
}

export interface StreamListQuery {
  /** Rooms left out from the start (default 0). */
  skip?: number;
  /** At most this many (1–1000, default 10). */
  limit?: number;
  /** `desc` (newest first, the default) or `asc` (creation order). */
  sortOrder?: 'asc' | 'desc';
}

/** A user in `users`/`managers`: a user id, or an object with one (PrivMX's UserWithPubKey). */
export type StreamUser = string | { userId: string };

/** One track of a published stream. */
export interface StreamTrackInfo {
  /** The publisher's MediaStreamTrack id, or the id `addStreamTrack` gave a data track. */
  trackId: string;
  /** `data`: a data track (messages, through `sendData` and `onRemoteData`). */
  kind: 'audio' | 'video' | 'data';
}

/** A stream published in a room (`listStreams`, `streamPublished`, `streamUpdated`). */
export interface RemoteStreamInfo {
  streamRoomId: string;
  streamId: string;
  userId: string;
  tracks: StreamTrackInfo[];
}

/** Event name → handler arguments, for `client.streams.on`. */
export interface StreamEvents {
  streamRoomCreated: [room: StreamRoom];
  streamRoomUpdated: [room: StreamRoom];
  streamRoomDeleted: [info: { streamRoomId: string; contextId: string }];
  streamMemberJoined: [info: { streamRoomId: string; userId: string }];
  streamMemberLeft: [info: { streamRoomId: string; userId: string }];
  streamPublished: [stream: RemoteStreamInfo];
  streamUpdated: [stream: RemoteStreamInfo];
  streamUnpublished: [info: { streamRoomId: string; streamId: string; userId: string }];
}

export type StreamEvent = keyof StreamEvents;

export const STREAM_EVENTS: readonly StreamEvent[] = [
  'streamRoomCreated',
  'streamRoomUpdated',
  'streamRoomDeleted',
  'streamMemberJoined',
  'streamMemberLeft',
  'streamPublished',
  'streamUpdated',
  'streamUnpublished',
];

/** Standard base64 (padded) of `bytes`, as the wire carries metas. */
export function bytesToBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

export function base64ToBytes(text: string): Uint8Array {
  const binary = atob(text);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

function checkId(op: string, field: string, value: unknown, max: number): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > max) {
    throw new OnairError('invalid_argument', `${op}: ${field} must be a non-empty string of at most ${max} characters`);
  }
  return value;
}

export function checkContextId(op: string, contextId: unknown): string {
  return checkId(op, 'contextId', contextId, 128);
}

export function checkStreamRoomId(op: string, streamRoomId: unknown): string {
  return checkId(op, 'streamRoomId', streamRoomId, 64);
}

function userIds(op: string, field: string, users: unknown): string[] {
  if (!Array.isArray(users)) throw new OnairError('invalid_argument', `${op}: ${field} must be an array of user ids`);
  return users.map((u) => {
    const id = typeof u === 'object' && u !== null ? (u as { userId?: unknown }).userId : u;
    return checkId(op, `${field}[]`, id, 255);
  });
}

function meta(op: string, field: string, bytes: unknown): string {
  if (bytes === undefined || bytes === null) return '';
  if (!(bytes instanceof Uint8Array)) throw new OnairError('invalid_argument', `${op}: ${field} must be a Uint8Array`);
  return bytesToBase64(bytes);
}

function policy(op: string, value: unknown): Record<string, unknown> | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw new OnairError('invalid_argument', `${op}: policy must be an object`);
  return value as Record<string, unknown>;
}

/** The wire args of a room definition (create and update alike). */
export function roomArgs(op: string, users: unknown, managers: unknown, publicMeta: unknown, privateMeta: unknown, pol: unknown): Record<string, unknown> {
  const args: Record<string, unknown> = {
    users: userIds(op, 'users', users),
    managers: userIds(op, 'managers', managers),
    publicMeta: meta(op, 'publicMeta', publicMeta),
    privateMeta: meta(op, 'privateMeta', privateMeta),
  };
  const p = policy(op, pol);
  if (p) args['policy'] = p;
  return args;
}

/** The wire args of an update after the room id. */
export function updateArgs(
  users: unknown, managers: unknown, publicMeta: unknown, privateMeta: unknown,
  version: unknown, force: unknown, forceGenerateNewKey: unknown, pol: unknown,
): Record<string, unknown> {
  const op = 'updateStreamRoom';
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 0) {
    throw new OnairError('invalid_argument', `${op}: version must be the version you read (an integer)`);
  }
  return { ...roomArgs(op, users, managers, publicMeta, privateMeta, pol), version, force: force === true, forceGenerateNewKey: forceGenerateNewKey === true };
}

export function listArgs(op: string, query: StreamListQuery | undefined): Record<string, unknown> {
  const args: Record<string, unknown> = {};
  if (query?.skip !== undefined) args['skip'] = query.skip;
  if (query?.limit !== undefined) args['limit'] = query.limit;
  if (query?.sortOrder !== undefined) {
    if (query.sortOrder !== 'asc' && query.sortOrder !== 'desc') throw new OnairError('invalid_argument', `${op}: sortOrder must be asc or desc`);
    args['sortOrder'] = query.sortOrder;
  }
  return args;
}

/** A room from the wire (metas as base64 text) with its metas as bytes. */
export function toStreamRoom(wire: any): StreamRoom {
  return {
    ...wire,
    publicMeta: base64ToBytes(typeof wire?.publicMeta === 'string' ? wire.publicMeta : ''),
    privateMeta: base64ToBytes(typeof wire?.privateMeta === 'string' ? wire.privateMeta : ''),
  };
}

export function toStreamRoomList(wire: any): StreamRoomList {
  return { readItems: (wire?.readItems ?? []).map(toStreamRoom), totalAvailable: wire?.totalAvailable ?? 0 };
}
