import { Emitter } from '../common/Emitter.js';
import {
  STREAM_EVENTS,
  checkContextId,
  checkStreamRoomId,
  listArgs,
  roomArgs,
  toStreamRoom,
  toStreamRoomList,
  updateArgs,
  type RemoteStreamInfo,
  type StreamEvents,
  type StreamListQuery,
  type StreamRoom,
  type StreamRoomList,
  type StreamUser,
} from '../common/streams.js';
import type { OnairClient } from './OnairClient.js';
import {
  StreamMedia,
  type RemoteStreamListener,
  type StreamHandle,
  type StreamPublishResult,
  type StreamState,
  type StreamSubscription,
  type VideoQuality,
} from './streamMedia.js';

/** The result of `joinStreamRoom`: the users joined now (this one included). */
export interface StreamJoinResult {
  streamRoomId: string;
  members: string[];
}

/**
 * `client.streams`: stream rooms inside contexts (PrivMX StreamApi's management part). The token
 * needs `stream:<contextId>:join` to read, list, join and hear events, `:manage` to create,
 * update and delete (updates and deletes also need this user among the room's managers).
 *
 * Joined rooms and subscribed contexts are joined and subscribed again after a reconnect.
 *
 * Media (browsers): `createStream` → `addStreamTrack` → `publishStream` sends tracks through one
 * RTCPeerConnection per room; `subscribeToRemoteStreams` receives through another, and
 * `addRemoteStreamListener` hands over the remote tracks. Publishing needs
 * `stream:<contextId>:publish`, subscribing `:subscribe`, both a joined room. Peer connections
 * end with `leaveStreamRoom` or a reconnect (publish and subscribe again after one).
 */
export class Streams {
  private readonly client: OnairClient;
  private readonly events = new Emitter<StreamEvents>();
  private readonly joined = new Set<string>();
  private readonly contexts = new Set<string>();
  private readonly media: StreamMedia;

  /** @internal Use `client.streams`. */
  constructor(client: OnairClient) {
    this.client = client;
    for (const event of STREAM_EVENTS) {
      client.on(`streams.${event}`, (data: any) => {
        if (!data || typeof data !== 'object') return;
        const isRoom = event === 'streamRoomCreated' || event === 'streamRoomUpdated';
        if (event === 'streamRoomDeleted') this.joined.delete(data.streamRoomId);
        (this.events.emit as (e: string, ...a: unknown[]) => boolean)(event, isRoom ? toStreamRoom(data) : data);
      });
    }
    client.onReconnect(() => this.restore());
    this.media = new StreamMedia(client);
  }

  /** Adds a handler for a stream-room event; returns a function that removes it. */
  on<K extends keyof StreamEvents>(event: K, handler: (...args: StreamEvents[K]) => void): () => void {
    return this.events.on(event, handler);
  }

  /** Creates a room in `contextId`; resolves to its id. */
  async createStreamRoom(contextId: string, users: StreamUser[], managers: StreamUser[], publicMeta: Uint8Array,
                         privateMeta: Uint8Array, policy?: Record<string, unknown>): Promise<string> {
    const args = { contextId: checkContextId('createStreamRoom', contextId), ...roomArgs('createStreamRoom', users, managers, publicMeta, privateMeta, policy) };
    const r = await this.client.request<{ streamRoomId: string }>('streams.createStreamRoom', args);
    return r.streamRoomId;
  }

  /**
   * Overwrites the room's definition (pass every field, as read). `version` is the version read:
   * another one stored now fails with `conflict` unless `force`.
   */
  async updateStreamRoom(streamRoomId: string, users: StreamUser[], managers: StreamUser[], publicMeta: Uint8Array,
                         privateMeta: Uint8Array, version: number, force: boolean, forceGenerateNewKey: boolean,
                         policy?: Record<string, unknown>): Promise<void> {
    const id = checkStreamRoomId('updateStreamRoom', streamRoomId);
    await this.client.request('streams.updateStreamRoom', { streamRoomId: id, ...updateArgs(users, managers, publicMeta, privateMeta, version, force, forceGenerateNewKey, policy) });
  }

  async getStreamRoom(streamRoomId: string): Promise<StreamRoom> {
    const id = checkStreamRoomId('getStreamRoom', streamRoomId);
    return toStreamRoom(await this.client.request('streams.getStreamRoom', { streamRoomId: id }));
  }

  /** A page of the rooms of `contextId` this user is a user or manager of. */
  async listStreamRooms(contextId: string, query?: StreamListQuery): Promise<StreamRoomList> {
    const args = { contextId: checkContextId('listStreamRooms', contextId), ...listArgs('listStreamRooms', query) };
    return toStreamRoomList(await this.client.request('streams.listStreamRooms', args));
  }

  async deleteStreamRoom(streamRoomId: string): Promise<void> {
    const id = checkStreamRoomId('deleteStreamRoom', streamRoomId);
    await this.client.request('streams.deleteStreamRoom', { streamRoomId: id });
    this.joined.delete(id);
  }

  /** Joins the room (users and managers only): member events, then media (later). */
  async joinStreamRoom(streamRoomId: string): Promise<StreamJoinResult> {
    const id = checkStreamRoomId('joinStreamRoom', streamRoomId);
    const r = await this.client.request<StreamJoinResult>('streams.joinStreamRoom', { streamRoomId: id });
    this.joined.add(id);
    return r;
  }

  async leaveStreamRoom(streamRoomId: string): Promise<void> {
    const id = checkStreamRoomId('leaveStreamRoom', streamRoomId);
    this.joined.delete(id);
    this.media.closeRoom(id);
    await this.client.request('streams.leaveStreamRoom', { streamRoomId: id });
  }

  // ---- media ---------------------------------------------------------------------------------

  /** A local stream to fill with `addStreamTrack` and send with `publishStream` (one per room). */
  async createStream(streamRoomId: string): Promise<StreamHandle> {
    return this.media.createStream(checkStreamRoomId('createStream', streamRoomId));
  }

  /**
   * Stages a track, `{track}` (a MediaStreamTrack; with `simulcast: true` a video track goes as
   * three encodings, low, medium and high, and each subscriber gets the one it asks for with
   * `setRemoteVideoQuality`) or `{createDataChannel: true}` (a data track, for `sendData`); it is
   * sent by `publishStream`, or by `updateStream` once published. Returns its trackId.
   */
  async addStreamTrack(handle: StreamHandle, options: { track?: MediaStreamTrack; createDataChannel?: boolean; simulcast?: boolean }): Promise<string> {
    return this.media.addStreamTrack(handle, options);
  }

  /** Stages the removal of a track, or of a data track by its id (applied by `updateStream`). */
  async removeStreamTrack(handle: StreamHandle, track: MediaStreamTrack | string): Promise<void> {
    this.media.removeStreamTrack(handle, track);
  }

  /** Sends a message (string or bytes) on a published data track; subscribers get it in `onRemoteData`. */
  sendData(handle: StreamHandle, data: string | Uint8Array | ArrayBuffer, trackId?: string): Promise<void> {
    return this.media.sendData(handle, data, trackId);
  }

  /** Publishes the staged tracks; `onState` hears the peer connection's state. Members get `streamPublished`. */
  publishStream(handle: StreamHandle, onState?: (state: StreamState) => void): Promise<StreamPublishResult> {
    return this.media.publishStream(handle, onState);
  }

  /** Renegotiates the tracks staged since; members get `streamUpdated`. */
  updateStream(handle: StreamHandle): Promise<StreamPublishResult> {
    return this.media.updateStream(handle);
  }

  /** Stops sending; members get `streamUnpublished`. The handle can be published again. */
  unpublishStream(handle: StreamHandle): Promise<void> {
    return this.media.unpublishStream(handle);
  }

  /** The streams published in a joined room now. */
  listStreams(streamRoomId: string): Promise<RemoteStreamInfo[]> {
    return this.media.listStreams(checkStreamRoomId('listStreams', streamRoomId));
  }

  /** Receives whole streams, or single tracks (`trackId`); tracks arrive through `addRemoteStreamListener`. */
  subscribeToRemoteStreams(streamRoomId: string, subscriptions: StreamSubscription[]): Promise<void> {
    return this.media.subscribeToRemoteStreams(checkStreamRoomId('subscribeToRemoteStreams', streamRoomId), subscriptions);
  }

  /** Adds and removes subscriptions in one renegotiation. */
  modifyRemoteStreamsSubscriptions(streamRoomId: string, add: StreamSubscription[], remove: StreamSubscription[]): Promise<void> {
    return this.media.modifyRemoteStreamsSubscriptions(checkStreamRoomId('modifyRemoteStreamsSubscriptions', streamRoomId), add, remove);
  }

  unsubscribeFromRemoteStreams(streamRoomId: string, subscriptions: StreamSubscription[]): Promise<void> {
    return this.media.unsubscribeFromRemoteStreams(checkStreamRoomId('unsubscribeFromRemoteStreams', streamRoomId), subscriptions);
  }

  /**
   * Simulcast: which encoding (`low`, `medium`, `high`) of a stream's video this connection
   * receives, for all its tracks or `trackId`. onair falls back to a lower one while the asked one
   * does not arrive (a publisher short of bandwidth stops its upper encodings). Default `high`.
   */
  setRemoteVideoQuality(streamRoomId: string, subscription: StreamSubscription, quality: VideoQuality): Promise<void> {
    return this.media.setRemoteVideoQuality(checkStreamRoomId('setRemoteVideoQuality', streamRoomId), subscription, quality);
  }

  /** Hears the remote tracks of one room (those already received too); returns a remover. */
  addRemoteStreamListener(listener: RemoteStreamListener): () => void {
    checkStreamRoomId('addRemoteStreamListener', listener?.streamRoomId);
    return this.media.addRemoteStreamListener(listener);
  }

  /** Hears `streamRoomCreated`, `streamRoomUpdated` and `streamRoomDeleted` of a whole context. */
  async subscribeContext(contextId: string): Promise<void> {
    const id = checkContextId('subscribeContext', contextId);
    await this.client.request('streams.subscribeContext', { contextId: id });
    this.contexts.add(id);
  }

  async unsubscribeContext(contextId: string): Promise<void> {
    const id = checkContextId('unsubscribeContext', contextId);
    this.contexts.delete(id);
    await this.client.request('streams.unsubscribeContext', { contextId: id });
  }

  /** After a reconnect: the server forgot this connection's joins and subscriptions. */
  private restore(): void {
    for (const contextId of this.contexts) {
      this.client.request('streams.subscribeContext', { contextId }).catch(() => this.contexts.delete(contextId));
    }
    for (const streamRoomId of this.joined) {
      this.client.request('streams.joinStreamRoom', { streamRoomId }).catch(() => this.joined.delete(streamRoomId));
    }
  }
}
