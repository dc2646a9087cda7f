export { connect } from './OnairClient.js';
export type { OnairClient, ReconnectHook } from './OnairClient.js';
export { OnairError, isErrorCode, ERROR_CODES } from '../common/OnairError.js';
export type { ErrorCode } from '../common/OnairError.js';
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
  TokenSource,
  WebSocketConstructor,
  WebSocketLike,
} from './types.js';
