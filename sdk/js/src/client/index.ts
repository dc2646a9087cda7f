export { connect } from './OnairClient.js';
export type { OnairClient, ReconnectHook } from './OnairClient.js';
export { OnairError, isErrorCode, ERROR_CODES } from '../common/OnairError.js';
export type { ErrorCode } from '../common/OnairError.js';
export type { Room, Channel } from './rooms.js';
export type { Stage, StageOpenResult, StageStatusResult } from './stage.js';
export { STAGE_STATUSES, SUBSCRIBE_TYPES } from '../common/stage.js';
export type {
  StageCapability,
  StageEvent,
  StageEvents,
  StageParticipant,
  StageRecord,
  StageRequest,
  StageRole,
  StageStatus,
  StageStream,
  StageStreamTrack,
  SubscribeType,
} from '../common/stage.js';
export type { Streams, StreamJoinResult } from './streams.js';
export type { StreamHandle, StreamPublishResult, StreamState, StreamSubscription, RemoteStreamTrackEvent, RemoteStreamListener, RemoteDataInfo, VideoQuality } from './streamMedia.js';
export { STREAM_EVENTS } from '../common/streams.js';
export type { RemoteStreamInfo, StreamTrackInfo, StreamEvent, StreamEvents, StreamListQuery, StreamRoom, StreamRoomList, StreamUser } from '../common/streams.js';
export type { Live, LiveAttachEvents, LiveAttachHandle, LiveEvents, LiveNamespace } from './live.js';
export type { Collab, CollabRoomKind, CollabToken, CollabTokenOptions, TurnCredentials } from './collab.js';
export type {
  LiveAttachOpts,
  LiveChunk,
  LiveEndInfo,
  LiveHeartbeatResult,
  LiveModalities,
  LivePublishMeta,
  LivePublishResult,
  LiveResolveOpts,
  LiveResolveResult,
  LiveSendOptions,
  LiveTransport,
  LiveTransportKind,
  LiveViewers,
} from '../common/live.js';
export type {
  ChannelEvents,
  JoinOptions,
  JoinResult,
  MetadataEvent,
  ResumedInfo,
  RoomEvents,
  SubscribeOptions,
  SubscribeResult,
} from './rooms.js';
export type {
  BroadcastOptions,
  DirectMessage,
  SendOptions,
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
  PublishOptions,
  PublishResult,
  Snapshot,
  SnapshotOptions,
  Stats,
} from '../common/rooms.js';
export type {
  ClientState,
  ConnectOptions,
  ConnectedInfo,
  DisconnectedInfo,
  LifecycleEvents,
  ReconnectOptions,
  ReconnectingInfo,
  RequestOptions,
  ServerEventHandler,
  Session,
  SessionLimits,
  TokenFetcher,
  TokenSource,
  WebSocketConstructor,
  WebSocketLike,
} from './types.js';
