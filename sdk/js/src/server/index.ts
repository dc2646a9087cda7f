export { OnairServer } from './OnairServer.js';
export type { OnairServerOptions, CreateTokenOptions, CreatedToken, HttpMethod } from './OnairServer.js';
export { createServerJwt } from './jwt.js';
export { parseGrant, GRANT_ACTIONS } from '../common/grants.js';
export type { ParsedGrant, GrantSurface } from '../common/grants.js';
export { OnairError, isErrorCode, ERROR_CODES } from '../common/OnairError.js';
export type { ErrorCode } from '../common/OnairError.js';
export type { ServerRoom, ServerChannel, ServerJoinOptions } from './rooms.js';
export type { ServerLive } from './live.js';
export type { ServerStreams } from './streams.js';
export type { ServerCollab } from './collab.js';
export type { StreamListQuery, StreamRoom, StreamRoomList, StreamUser } from '../common/streams.js';
export type {
  ParticipantToken,
  ParticipantTokenOptions,
  ServerStages,
  StageCreateOptions,
  StageUpdateOptions,
} from './stage.js';
export type {
  StageCapability,
  StageParticipant,
  StageRecord,
  StageRequest,
  StageRole,
  StageStatus,
  StageStream,
  StageStreamTrack,
  SubscribeType,
} from '../common/stage.js';
export type { LivePublishMeta, LivePublishResult, LiveTransport, LiveTransportKind } from '../common/live.js';
export type {
  BroadcastOptions,
  ChannelStats,
  HistoryDirection,
  HistoryOptions,
  HistoryPage,
  Member,
  MembersPageOptions,
  MembersResult,
  Message,
  MetadataResult,
  MetadataWrite,
  Position,
  PresenceEntry,
  PresenceList,
  PublishOptions,
  PublishResult,
  Snapshot,
  SnapshotOptions,
  Stats,
} from '../common/rooms.js';
