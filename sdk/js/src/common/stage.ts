/**
 * Shapes of the stages surface (docs/protocol.md, "Stages"; docs/http-api.md, "Stages"), shared
 * by the client (WebSocket) and the server SDK (HTTP API). Types and small pure helpers only:
 * this module is part of the client's import graph and must run in browsers.
 */
import { OnairError } from './OnairError.js';

/** A user's place on a stage. */
export type StageStatus = 'OFF_STAGE' | 'REQUESTED_TO_JOIN_STAGE' | 'ACCEPTED_TO_JOIN_STAGE' | 'ON_STAGE';

export const STAGE_STATUSES: readonly StageStatus[] = [
  'OFF_STAGE',
  'REQUESTED_TO_JOIN_STAGE',
  'ACCEPTED_TO_JOIN_STAGE',
  'ON_STAGE',
];

export type StageRole = 'host' | 'viewer';

export type StageCapability = 'PUBLISH' | 'SUBSCRIBE';

/** What a subscriber wants of a participant's media (`stage.setSubscribeType`). */
export type SubscribeType = 'NONE' | 'AUDIO_ONLY' | 'AUDIO_VIDEO';

export const SUBSCRIBE_TYPES: readonly SubscribeType[] = ['NONE', 'AUDIO_ONLY', 'AUDIO_VIDEO'];

/** One track of a stream a participant publishes in the stage's media room. */
export interface StageStreamTrack {
  trackId: string;
  kind: 'audio' | 'video';
}

/**
 * One stream a participant publishes in the stage's media room (`streamRoomId`): `streamId` is
 * the media room's id of it (`client.streams` subscribes to its tracks by these ids).
 */
export interface StageStream {
  streamId: string;
  tracks: StageStreamTrack[];
}

/** A stage as stored by the server (`POST /v1/stages`). */
export interface StageRecord {
  id: string;
  name: string;
  /** At most this many users are `ON_STAGE` at once (1–100, default 12). */
  maxPublishers: number;
  maxParticipants?: number;
  recording?: unknown;
  composition?: unknown;
  /** ISO 8601. */
  createdAt: string;
  /** The stage's media room: publish and subscribe there with `client.streams`. */
  streamRoomId: string;
  [key: string]: unknown;
}

/** A participant of a stage (`stage.participants`, `GET /v1/stages/{id}/participants`). */
export interface StageParticipant {
  participantId: string;
  userId: string;
  name: string | null;
  role: StageRole;
  status: StageStatus;
  capabilities: StageCapability[];
  attributes: Record<string, string>;
  /** What the participant publishes now in the stage's media room. */
  streams: StageStream[];
  /** Whether the participant has an open connection on the stage. */
  connected?: boolean;
  [key: string]: unknown;
}

/** A pending request to join the stage (status `REQUESTED_TO_JOIN_STAGE`), oldest first. */
export interface StageRequest {
  userId: string;
  participantId: string;
  /** ISO 8601. */
  requestedAt: string;
}

/** Events of `client.stage(id)`; each handler gets the event's payload as sent. */
export interface StageEvents {
  /** Hosts: the list of pending requests changed (coalesced by the server). */
  stageAccessRequestUpdate: [info: { requests: StageRequest[] }];
  /** Hosts: there are pending requests, `count` of them (coalesced, for notifications). */
  newStageRequest: [info: { count: number }];
  /** This user's status changed (also after a reconnect, if it changed meanwhile). */
  stageStatusUpdate: [info: { status: StageStatus }];
  /** A host granted this user's request. */
  stageRequestApproved: [info: Record<string, never>];
  /** A host denied this user's request. */
  stageRequestRejected: [info: Record<string, never>];
  participantJoined: [info: { participantId: string; userId: string }];
  participantLeft: [info: { participantId: string; userId: string }];
  /** A participant published in the stage's media room (`streams.publish`). */
  participantStreamsAdded: [info: { participantId: string; userId: string; streams: StageStream[] }];
  /** Those streams ended (unpublished, left the stage, kicked, disconnected, connection closed). */
  participantStreamsRemoved: [info: { participantId: string; userId: string; streams: StageStream[] }];
}

export type StageEvent = keyof StageEvents;

export const STAGE_EVENTS: readonly StageEvent[] = [
  'stageAccessRequestUpdate',
  'newStageRequest',
  'stageStatusUpdate',
  'stageRequestApproved',
  'stageRequestRejected',
  'participantJoined',
  'participantLeft',
  'participantStreamsAdded',
  'participantStreamsRemoved',
];

export function isStageStatus(value: unknown): value is StageStatus {
  return typeof value === 'string' && (STAGE_STATUSES as readonly string[]).includes(value);
}

/** A stage id as the server accepts it: 1–64 characters. */
export function checkStageId(where: string, stageId: unknown): string {
  if (typeof stageId !== 'string' || stageId.length === 0 || stageId.length > 64) {
    throw new OnairError('invalid_argument', `${where}: the stage id must be a string of 1 to 64 characters`);
  }
  return stageId;
}

/** A non-empty array of non-empty user ids (a single id is accepted too). */
export function checkUserIds(where: string, userIds: unknown): string[] {
  const list = typeof userIds === 'string' ? [userIds] : userIds;
  if (!Array.isArray(list) || list.length === 0) {
    throw new OnairError('invalid_argument', `${where}: userIds must be a non-empty array of user ids`);
  }
  for (const id of list) {
    if (typeof id !== 'string' || id.length === 0) {
      throw new OnairError('invalid_argument', `${where}: userIds entries must be non-empty strings`);
    }
  }
  return [...list] as string[];
}

export function checkSubscribeType(type: unknown): SubscribeType {
  if (typeof type !== 'string' || !(SUBSCRIBE_TYPES as readonly string[]).includes(type)) {
    throw new OnairError('invalid_argument', `setSubscribeType: type must be one of ${SUBSCRIBE_TYPES.join(', ')}`);
  }
  return type as SubscribeType;
}
