/**
 * The media half of `client.streams` (docs/protocol.md "Media"), after PrivMX's StreamApi: local
 * streams published through one RTCPeerConnection per room (sendonly transceivers, renegotiated by
 * `updateStream`), remote tracks received through one more RTCPeerConnection per room (recvonly
 * transceivers). The client always offers and onair answers. Browsers only (RTCPeerConnection).
 *
 * Data tracks are data channels: the publisher's channel is labelled with the track id; onair
 * opens one channel per subscribed data track on the receiving connection, labelled
 * `<streamId>/<trackId>` (the receiving connection opens a channel of its own, `onair`, only so
 * that its offer negotiates SCTP). Closing onair's channel ends that subscription.
 */
import { OnairError } from '../common/OnairError.js';
import type { RemoteStreamInfo, StreamTrackInfo } from '../common/streams.js';
import type { OnairClient } from './OnairClient.js';

/** A local stream being prepared or published in one room (from `createStream`). */
export interface StreamHandle {
  readonly streamRoomId: string;
  /** Set once published. */
  readonly streamId: string | undefined;
}

export interface StreamPublishResult {
  streamRoomId: string;
  streamId: string;
  tracks: StreamTrackInfo[];
}

/** The publishing peer connection's state (RTCPeerConnectionState). */
export type StreamState = RTCPeerConnectionState;

/** A stream, or one track of it, to receive. */
export interface StreamSubscription {
  streamId: string;
  trackId?: string;
}

export interface RemoteStreamTrackEvent {
  streamRoomId: string;
  streamId: string;
  /** The publisher's track id. */
  trackId: string;
  kind: 'audio' | 'video';
  track: MediaStreamTrack;
  /** A MediaStream per remote stream, shared by its tracks. */
  stream: MediaStream;
}

/** Where a data message came from. */
export interface RemoteDataInfo {
  streamRoomId: string;
  streamId: string;
  trackId: string;
  /** Whether the publisher sent a string (its UTF-8 bytes are `data`) or binary. */
  binary: boolean;
}

export interface RemoteStreamListener {
  streamRoomId: string;
  onRemoteStreamTrack?: (event: RemoteStreamTrackEvent) => void;
  /** A message on a subscribed data track. */
  onRemoteData?: (data: Uint8Array, info: RemoteDataInfo) => void;
}

const DATA_PLACEHOLDER = 'onair';

/**
 * Simulcast: three encodings of one camera, lowest first (onair reads the order from the offer's
 * a=simulcast line): a quarter, half and full resolution.
 */
const SIMULCAST_ENCODINGS: RTCRtpEncodingParameters[] = [
  { rid: 'l', scaleResolutionDownBy: 4, maxBitrate: 150_000 },
  { rid: 'm', scaleResolutionDownBy: 2, maxBitrate: 500_000 },
  { rid: 'h', maxBitrate: 1_500_000 },
];

/** Which simulcast encoding to receive (`setRemoteVideoQuality`). */
export type VideoQuality = 'low' | 'medium' | 'high';

interface LocalStream extends StreamHandle {
  streamId: string | undefined;
  staged: Set<MediaStreamTrack>;
  /** Video tracks to send as three simulcast encodings. */
  simulcast: Set<MediaStreamTrack>;
  senders: Map<MediaStreamTrack, RTCRtpTransceiver>;
  /** Data track ids staged, and the channels of those negotiated. */
  stagedData: Set<string>;
  channels: Map<string, RTCDataChannel>;
  media: MediaStream;
  pc: RTCPeerConnection | undefined;
  onState: ((state: StreamState) => void) | undefined;
}

interface Received {
  streamId: string;
  trackId: string;
  kind: 'audio' | 'video';
  transceiver: RTCRtpTransceiver;
  delivered: boolean;
}

interface Subscriber {
  pc: RTCPeerConnection;
  /** By mid, once the section has one. */
  sections: Map<string, Received>;
  streams: Map<string, MediaStream>;
  /** Data tracks received, by channel label `<streamId>/<trackId>`. */
  dataChannels: Map<string, RTCDataChannel>;
  /** The connection's own channel, opened so that its offers carry a data section. */
  placeholder: RTCDataChannel | undefined;
  queue: Promise<unknown>;
}

const PC_CONFIG: RTCConfiguration = { bundlePolicy: 'max-bundle', rtcpMuxPolicy: 'require' };

function peerConnection(ice: Pick<RTCConfiguration, 'iceServers' | 'iceTransportPolicy'>): RTCPeerConnection {
  const Ctor = (globalThis as { RTCPeerConnection?: typeof RTCPeerConnection }).RTCPeerConnection;
  if (!Ctor) throw new OnairError('unsupported_transport', 'streams media needs RTCPeerConnection (a browser)');
  return new Ctor({ ...PC_CONFIG, ...ice });
}

/** The BUNDLE group's first mid in the current local description (the transport's owner). */
function bundleTag(pc: RTCPeerConnection): string | undefined {
  return /^a=group:BUNDLE ([^ \r\n]+)/m.exec(pc.localDescription?.sdp ?? '')?.[1];
}

/**
 * Releases a section at the next negotiation. `stop()` for all but the BUNDLE group's first
 * section: Chromium ends the whole transport (a new DTLS handshake) when that one is stopped, so
 * it becomes `inactive` instead, its received track stopped (`endTrack`) or its sent track detached.
 */
function release(pc: RTCPeerConnection, transceiver: RTCRtpTransceiver, endTrack: boolean): void {
  if (transceiver.currentDirection === 'stopped') return;
  if (transceiver.mid === null || transceiver.mid !== bundleTag(pc)) {
    transceiver.stop();
    return;
  }
  transceiver.direction = 'inactive';
  if (endTrack) transceiver.receiver.track.stop();
  else void transceiver.sender.replaceTrack(null).catch(() => undefined);
}

/** A data channel label `<streamId>/<trackId>` → [streamId, trackId] ('' when not that form). */
function splitLabel(label: string): [string, string] {
  const slash = label.indexOf('/');
  return slash < 0 ? [label, ''] : [label.slice(0, slash), label.slice(slash + 1)];
}

function kindOf(track: MediaStreamTrack): 'audio' | 'video' {
  if (track.kind !== 'audio' && track.kind !== 'video') throw new OnairError('invalid_argument', `addStreamTrack: unsupported track kind ${track.kind}`);
  return track.kind;
}

/** @internal Used by `Streams`. */
export class StreamMedia {
  private readonly client: OnairClient;
  private readonly handles = new Set<LocalStream>();
  private readonly subscribers = new Map<string, Subscriber>();
  private readonly listeners = new Set<RemoteStreamListener>();
  /** onair's TURN credentials, fetched when first needed and again at half their lifetime. */
  private turn: { servers: Promise<RTCIceServer[]>; refreshAt: number } | undefined;

  constructor(client: OnairClient) {
    this.client = client;
    client.on('streams.streamUnpublished', (data: { streamRoomId?: string; streamId?: string }) => {
      if (data?.streamRoomId && data.streamId) this.dropRemote(data.streamRoomId, (r) => r.streamId === data.streamId);
    });
    client.on('streams.streamUpdated', (data: RemoteStreamInfo) => {
      if (!data?.streamRoomId || !Array.isArray(data.tracks)) return;
      const kept = new Set(data.tracks.map((t) => t.trackId));
      this.dropRemote(data.streamRoomId, (r) => r.streamId === data.streamId && !kept.has(r.trackId));
    });
    // Peer connections do not survive a reconnect: the server released their transports.
    client.onReconnect(() => this.reset());
  }

  // ---- publishing ----------------------------------------------------------------------------

  createStream(streamRoomId: string): StreamHandle {
    const handle: LocalStream = {
      streamRoomId, streamId: undefined, staged: new Set(), simulcast: new Set(), senders: new Map(), stagedData: new Set(), channels: new Map(),
      media: new MediaStream(), pc: undefined, onState: undefined,
    };
    this.handles.add(handle);
    return handle;
  }

  /** Stages a media track, or with `{createDataChannel: true}` a data track; → the track id. */
  addStreamTrack(handle: StreamHandle, options: { track?: MediaStreamTrack; createDataChannel?: boolean; simulcast?: boolean }): string {
    const local = this.local(handle, 'addStreamTrack');
    if (options?.createDataChannel) {
      const id = `data-${Math.random().toString(36).slice(2, 10)}`;
      local.stagedData.add(id);
      return id;
    }
    if (!options?.track) throw new OnairError('invalid_argument', 'addStreamTrack: pass {track} or {createDataChannel: true}');
    const kind = kindOf(options.track);
    if (options.simulcast && kind !== 'video') throw new OnairError('invalid_argument', 'addStreamTrack: simulcast is for video tracks');
    local.staged.add(options.track);
    if (options.simulcast) local.simulcast.add(options.track);
    return options.track.id;
  }

  /** Unstages a media track, or a data track by its id. */
  removeStreamTrack(handle: StreamHandle, track: MediaStreamTrack | string): void {
    const local = this.local(handle, 'removeStreamTrack');
    if (typeof track === 'string') local.stagedData.delete(track);
    else local.staged.delete(track);
  }

  /**
   * Sends a message on a published data track (the stream's first one when `trackId` is not
   * given), once its channel is open. Subscribers get it through `onRemoteData`.
   */
  async sendData(handle: StreamHandle, data: string | Uint8Array | ArrayBuffer, trackId?: string): Promise<void> {
    const local = this.local(handle, 'sendData');
    const channel = trackId ? local.channels.get(trackId) : local.channels.values().next().value as RTCDataChannel | undefined;
    if (!channel) throw new OnairError('not_found', 'sendData: no published data track' + (trackId ? ` ${trackId}` : '') + ' (addStreamTrack with createDataChannel, then publish or update)');
    if (channel.readyState === 'connecting') {
      await new Promise<void>((resolve, reject) => {
        channel.addEventListener('open', () => resolve(), { once: true });
        channel.addEventListener('close', () => reject(new OnairError('not_found', 'sendData: the data track closed')), { once: true });
      });
    }
    if (channel.readyState !== 'open') throw new OnairError('not_found', 'sendData: the data track is closed');
    if (typeof data === 'string') channel.send(data);
    else channel.send((data instanceof Uint8Array ? data : new Uint8Array(data)) as Uint8Array<ArrayBuffer>);
  }

  async publishStream(handle: StreamHandle, onState?: (state: StreamState) => void): Promise<StreamPublishResult> {
    const local = this.local(handle, 'publishStream');
    if (local.pc) throw new OnairError('conflict', 'publishStream: already published; use updateStream');
    const pc = peerConnection(await this.iceConfiguration());
    if (local.pc) throw new OnairError('conflict', 'publishStream: already published; use updateStream');
    local.pc = pc;
    local.onState = onState;
    pc.addEventListener('connectionstatechange', () => local.onState?.(pc.connectionState));
    try {
      return await this.negotiatePublisher(local);
    } catch (e) {
      pc.close();
      local.pc = undefined;
      local.senders.clear();
      local.channels.clear();
      throw e;
    }
  }

  /** Applies the tracks added and removed since the last publish or update (one renegotiation). */
  async updateStream(handle: StreamHandle): Promise<StreamPublishResult> {
    const local = this.local(handle, 'updateStream');
    if (!local.pc) throw new OnairError('not_found', 'updateStream: the stream is not published');
    return this.negotiatePublisher(local);
  }

  async unpublishStream(handle: StreamHandle): Promise<void> {
    const local = this.local(handle, 'unpublishStream');
    const { pc, streamId } = local;
    local.pc = undefined;
    local.streamId = undefined;
    local.senders.clear();
    local.channels.clear();
    try {
      // Before the peer connection closes: its close also ends the stream on the server.
      if (streamId) await this.client.request('streams.unpublish', { streamRoomId: local.streamRoomId, streamId });
    } catch (e) {
      if (!(e instanceof OnairError && e.code === 'not_found')) throw e;  // already ended (transport closed)
    } finally {
      pc?.close();
    }
  }

  private async negotiatePublisher(local: LocalStream): Promise<StreamPublishResult> {
    const pc = local.pc!;
    for (const [track, transceiver] of local.senders) {
      if (local.staged.has(track)) continue;
      release(pc, transceiver, false);
      local.media.removeTrack(track);
      local.senders.delete(track);
    }
    for (const track of local.staged) {
      if (local.senders.has(track)) continue;
      local.media.addTrack(track);
      const sendEncodings = local.simulcast.has(track) ? SIMULCAST_ENCODINGS.map((e) => ({ ...e })) : undefined;
      local.senders.set(track, pc.addTransceiver(track, { direction: 'sendonly', streams: [local.media], ...(sendEncodings ? { sendEncodings } : {}) }));
    }
    for (const [id, channel] of local.channels) {
      if (local.stagedData.has(id)) continue;
      channel.close();
      local.channels.delete(id);
    }
    for (const id of local.stagedData) {
      if (!local.channels.has(id)) local.channels.set(id, pc.createDataChannel(id, { ordered: true }));
    }
    await pc.setLocalDescription(await pc.createOffer());
    const tracks: { mid?: string; trackId: string; kind: 'audio' | 'video' | 'data' }[] = [
      ...[...local.senders].map(([track, t]) => ({ mid: t.mid!, trackId: track.id, kind: kindOf(track) })),
      ...[...local.channels.keys()].map((trackId) => ({ trackId, kind: 'data' as const })),
    ];
    const r = await this.client.request<{ sdp: string; streamId: string }>('streams.publish', {
      streamRoomId: local.streamRoomId, sdp: pc.localDescription!.sdp, tracks,
    });
    await pc.setRemoteDescription({ type: 'answer', sdp: r.sdp });
    local.streamId = r.streamId;
    return { streamRoomId: local.streamRoomId, streamId: r.streamId, tracks: tracks.map(({ trackId, kind }) => ({ trackId, kind })) };
  }

  private local(handle: StreamHandle, op: string): LocalStream {
    if (!this.handles.has(handle as LocalStream)) throw new OnairError('invalid_argument', `${op}: not a handle from createStream`);
    return handle as LocalStream;
  }

  // ---- subscribing ---------------------------------------------------------------------------

  async listStreams(streamRoomId: string): Promise<RemoteStreamInfo[]> {
    const r = await this.client.request<{ streams: RemoteStreamInfo[] }>('streams.listStreams', { streamRoomId });
    return r.streams;
  }

  subscribeToRemoteStreams(streamRoomId: string, subscriptions: StreamSubscription[]): Promise<void> {
    return this.modifyRemoteStreamsSubscriptions(streamRoomId, subscriptions, []);
  }

  unsubscribeFromRemoteStreams(streamRoomId: string, subscriptions: StreamSubscription[]): Promise<void> {
    return this.modifyRemoteStreamsSubscriptions(streamRoomId, [], subscriptions);
  }

  /** Adds and removes subscriptions in one renegotiation of the room's receiving connection. */
  async modifyRemoteStreamsSubscriptions(streamRoomId: string, add: StreamSubscription[], remove: StreamSubscription[]): Promise<void> {
    const sub = this.subscriber(streamRoomId, await this.iceConfiguration());
    const run = sub.queue.then(async () => {
      const matches = (s: StreamSubscription, r: { streamId: string; trackId: string }) => s.streamId === r.streamId && (!s.trackId || s.trackId === r.trackId);
      for (const [mid, r] of sub.sections) {
        if (remove.some((s) => matches(s, r))) this.stopSection(sub, mid, r);
      }
      for (const [label, channel] of sub.dataChannels) {
        const [streamId, trackId] = splitLabel(label);
        if (!remove.some((s) => matches(s, { streamId, trackId }))) continue;
        channel.close();  // onair ends the subscription when its channel closes
        sub.dataChannels.delete(label);
      }
      const wanted = await this.expand(streamRoomId, add);
      const pending: Received[] = [];
      const data: { streamId: string; trackId: string }[] = [];
      for (const w of wanted) {
        if (w.kind === 'data') {
          if (!sub.dataChannels.has(`${w.streamId}/${w.trackId}`)) data.push({ streamId: w.streamId, trackId: w.trackId });
          continue;
        }
        const have = [...sub.sections.values(), ...pending].some((r) => r.streamId === w.streamId && r.trackId === w.trackId);
        if (have) continue;
        const transceiver = sub.pc.addTransceiver(w.kind, { direction: 'recvonly' });
        pending.push({ streamId: w.streamId, trackId: w.trackId, kind: w.kind, transceiver, delivered: false });
      }
      // A data section in the offer, once: onair opens the data tracks' channels over it.
      if (data.length > 0 && !sub.placeholder) sub.placeholder = sub.pc.createDataChannel(DATA_PLACEHOLDER);
      await this.negotiateSubscriber(streamRoomId, sub, pending, data);
    });
    sub.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Simulcast: which encoding of a stream's video (all its tracks, or `trackId`) this connection
   * receives. onair falls back to a lower one while the asked one does not arrive. Default `high`.
   */
  async setRemoteVideoQuality(streamRoomId: string, subscription: StreamSubscription, quality: VideoQuality): Promise<void> {
    if (!['low', 'medium', 'high'].includes(quality)) throw new OnairError('invalid_argument', "quality must be 'low', 'medium' or 'high'");
    await this.client.request('streams.setQuality', {
      streamRoomId, streamId: subscription.streamId, ...(subscription.trackId ? { trackId: subscription.trackId } : {}), quality,
    });
  }

  addRemoteStreamListener(listener: RemoteStreamListener): () => void {
    this.listeners.add(listener);
    // Tracks already received are reported to the new listener at once.
    const sub = this.subscribers.get(listener.streamRoomId);
    for (const r of sub?.sections.values() ?? []) {
      if (r.delivered) listener.onRemoteStreamTrack?.(this.trackEvent(listener.streamRoomId, sub!, r));
    }
    return () => this.listeners.delete(listener);
  }

  /** Subscriptions as tracks: a subscription without trackId means every track of its stream. */
  private async expand(streamRoomId: string, add: StreamSubscription[]): Promise<{ streamId: string; trackId: string; kind: 'audio' | 'video' | 'data' }[]> {
    if (add.length === 0) return [];
    const streams = await this.listStreams(streamRoomId);
    const out: { streamId: string; trackId: string; kind: 'audio' | 'video' | 'data' }[] = [];
    for (const s of add) {
      const stream = streams.find((x) => x.streamId === s.streamId);
      if (!stream) throw new OnairError('not_found', `no stream ${s.streamId} is published in stream room ${streamRoomId}`);
      const tracks = stream.tracks.filter((t) => !s.trackId || t.trackId === s.trackId);
      if (tracks.length === 0) throw new OnairError('not_found', `stream ${s.streamId} has no track ${s.trackId}`);
      for (const t of tracks) out.push({ streamId: s.streamId, trackId: t.trackId, kind: t.kind });
    }
    return out;
  }

  private async negotiateSubscriber(streamRoomId: string, sub: Subscriber, pending: Received[], data: { streamId: string; trackId: string }[] = []): Promise<void> {
    const { pc } = sub;
    await pc.setLocalDescription(await pc.createOffer());
    for (const r of pending) sub.sections.set(r.transceiver.mid!, r);
    const subscriptions: { mid?: string; streamId: string; trackId: string }[] = [
      ...pending.map((r) => ({ mid: r.transceiver.mid!, streamId: r.streamId, trackId: r.trackId })),
      ...data,
    ];
    let answer: { sdp: string; rejected: { mid?: string; reason: string }[] };
    try {
      answer = await this.client.request('streams.subscribe', { streamRoomId, sdp: pc.localDescription!.sdp, subscriptions });
    } catch (e) {
      for (const r of pending) this.stopSection(sub, r.transceiver.mid!, r);
      await pc.setLocalDescription({ type: 'rollback' }).catch(() => undefined);
      throw e;
    }
    await pc.setRemoteDescription({ type: 'answer', sdp: answer.sdp });
    for (const { mid } of answer.rejected ?? []) {
      const r = mid ? sub.sections.get(mid) : undefined;
      if (mid && r) this.stopSection(sub, mid, r);
    }
    for (const r of sub.sections.values()) {
      if (r.delivered || r.transceiver.currentDirection === 'stopped') continue;
      r.delivered = true;
      const event = this.trackEvent(streamRoomId, sub, r);
      for (const l of this.listeners) {
        if (l.streamRoomId === streamRoomId) l.onRemoteStreamTrack?.(event);
      }
    }
  }

  private trackEvent(streamRoomId: string, sub: Subscriber, r: Received): RemoteStreamTrackEvent {
    let stream = sub.streams.get(r.streamId);
    if (!stream) sub.streams.set(r.streamId, (stream = new MediaStream()));
    const track = r.transceiver.receiver.track;
    if (!stream.getTracks().includes(track)) stream.addTrack(track);
    return { streamRoomId, streamId: r.streamId, trackId: r.trackId, kind: r.kind, track, stream };
  }

  /**
   * ICE settings for a new peer connection: ConnectOptions.media, else onair's TURN credentials
   * when the server has TURN (none when it has not, or refuses them).
   */
  private async iceConfiguration(): Promise<Pick<RTCConfiguration, 'iceServers' | 'iceTransportPolicy'>> {
    const { iceServers, iceTransportPolicy } = this.client.mediaOptions;
    const policy = iceTransportPolicy ? { iceTransportPolicy } : {};
    if (iceServers) return { iceServers, ...policy };
    if (!this.turn || Date.now() >= this.turn.refreshAt) {
      const turn = { servers: Promise.resolve<RTCIceServer[]>([]), refreshAt: Date.now() + 60_000 };
      turn.servers = this.client.collab.turnCredentials().then(
        ({ urls, username, credential, ttl }) => {
          turn.refreshAt = Date.now() + (ttl * 1000) / 2;
          return [{ urls, username, credential }];
        },
        () => [],  // no TURN on this server (not_found): onair's own candidate
      );
      this.turn = turn;
    }
    return { iceServers: await this.turn.servers, ...policy };
  }

  private subscriber(streamRoomId: string, ice: Pick<RTCConfiguration, 'iceServers' | 'iceTransportPolicy'>): Subscriber {
    let sub = this.subscribers.get(streamRoomId);
    if (!sub) {
      const pc = peerConnection(ice);
      sub = { pc, sections: new Map(), streams: new Map(), dataChannels: new Map(), placeholder: undefined, queue: Promise.resolve() };
      const room = sub;
      pc.addEventListener('datachannel', (e: RTCDataChannelEvent) => this.onDataChannel(streamRoomId, room, e.channel));
      this.subscribers.set(streamRoomId, sub);
    }
    return sub;
  }

  /** A channel onair opened for a subscribed data track: its messages go to the listeners. */
  private onDataChannel(streamRoomId: string, sub: Subscriber, channel: RTCDataChannel): void {
    const label = channel.label;
    const [streamId, trackId] = splitLabel(label);
    if (!trackId) return;
    sub.dataChannels.set(label, channel);
    channel.binaryType = 'arraybuffer';
    channel.addEventListener('close', () => {
      if (sub.dataChannels.get(label) === channel) sub.dataChannels.delete(label);
    });
    channel.addEventListener('message', (e: MessageEvent) => {
      const binary = typeof e.data !== 'string';
      const bytes = binary ? new Uint8Array(e.data as ArrayBuffer) : new TextEncoder().encode(e.data as string);
      for (const l of this.listeners) {
        if (l.streamRoomId === streamRoomId) l.onRemoteData?.(bytes, { streamRoomId, streamId, trackId, binary });
      }
    });
  }

  /** Ends a received section's track; the next offer releases the section on the server. */
  private stopSection(sub: Subscriber, mid: string, r: Received): void {
    sub.sections.delete(mid);
    sub.streams.get(r.streamId)?.removeTrack(r.transceiver.receiver.track);
    release(sub.pc, r.transceiver, true);
  }

  /** Tracks of a stream that went away: stopped now, released by a renegotiation. */
  private dropRemote(streamRoomId: string, gone: (r: { streamId: string; trackId: string }) => boolean): void {
    const sub = this.subscribers.get(streamRoomId);
    if (!sub) return;
    for (const [label, channel] of sub.dataChannels) {
      const [streamId, trackId] = splitLabel(label);
      if (!gone({ streamId, trackId })) continue;
      channel.close();
      sub.dataChannels.delete(label);
    }
    const run = sub.queue.then(async () => {
      let stopped = false;
      for (const [mid, r] of sub.sections) {
        if (!gone(r)) continue;
        this.stopSection(sub, mid, r);
        stopped = true;
      }
      if (stopped && sub.pc.signalingState !== 'closed') await this.negotiateSubscriber(streamRoomId, sub, []);
    });
    sub.queue = run.catch(() => undefined);
  }

  /** The room's peer connections close (leaving the room, a reconnect). */
  closeRoom(streamRoomId: string): void {
    this.subscribers.get(streamRoomId)?.pc.close();
    this.subscribers.delete(streamRoomId);
    for (const h of this.handles) {
      if (h.streamRoomId !== streamRoomId) continue;
      h.pc?.close();
      h.pc = undefined;
      h.streamId = undefined;
      h.senders.clear();
      h.channels.clear();
    }
  }

  private reset(): void {
    for (const roomId of [...this.subscribers.keys()]) this.closeRoom(roomId);
    for (const h of this.handles) this.closeRoom(h.streamRoomId);
  }
}
