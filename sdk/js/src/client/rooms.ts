import { Emitter } from '../common/Emitter.js';
import { OnairError } from '../common/OnairError.js';
import {
  allPages,
  checkObject,
  historyArgs,
  membersPageArgs,
  messageArgs,
  pick,
  type BroadcastOptions,
  type ChannelStats,
  type DirectMessage,
  type HistoryOptions,
  type HistoryPage,
  type Member,
  type MembersPageOptions,
  type MembersResult,
  type Message,
  type MetadataResult,
  type MetadataWrite,
  type Position,
  type PublishOptions,
  type PublishResult,
  type SendOptions,
  type Snapshot,
  type SnapshotOptions,
  wholeSnapshot,
} from '../common/rooms.js';
import type { OnairClient } from './OnairClient.js';

export interface JoinOptions {
  /** This member's metadata (sent again on automatic re-joins). */
  metadata?: Record<string, unknown>;
  /** Initial presence (needs the `presence` grant). */
  presence?: unknown;
  /** Resume from a position seen earlier: the server sends the stored messages after it. */
  since?: Position;
}

export interface JoinResult {
  room: string;
  /** Every member: `join()` fetches the pages after the reply's first one itself. */
  members: Member[];
  /** The wire reply's cursor to the next members page; `null` once `join()` has them all. */
  membersCursor?: string | null;
  /** The room's shared metadata, with its version. */
  metadata: MetadataResult;
  position: Position;
  /** Only when `since` was sent: false means the missed range could not be replayed. */
  recovered?: boolean;
  [key: string]: unknown;
}

export interface SubscribeOptions {
  since?: Position;
}

export interface SubscribeResult {
  channel: string;
  position: Position;
  recovered?: boolean;
  [key: string]: unknown;
}

export interface ResumedInfo {
  /** false: messages may have been missed; reload with `snapshot()` or `history()`. */
  recovered: boolean;
  position: Position | undefined;
}

export interface MetadataEvent<M = Record<string, unknown>> {
  metadata: M;
  version: number;
  updatedAt: string | number | null;
}

export interface RoomEvents {
  message: [message: Message];
  /** A message another member sent to this user alone (`room.send`). */
  direct: [message: DirectMessage];
  memberJoined: [member: Member];
  memberLeft: [info: { userId: string }];
  presence: [info: { userId: string; presence: unknown }];
  metadata: [info: MetadataEvent];
  destroyed: [info: Record<string, never>];
  resumed: [info: ResumedInfo];
}

export interface ChannelEvents {
  message: [message: Message];
  resumed: [info: ResumedInfo];
}

const ROOM_EVENTS = ['message', 'direct', 'memberJoined', 'memberLeft', 'presence', 'metadata', 'destroyed'] as const;

/** A random idempotency key: `crypto.randomUUID()` where available. */
export function randomKey(): string {
  const c = (globalThis as { crypto?: { randomUUID?: () => string } }).crypto;
  if (c && typeof c.randomUUID === 'function') return c.randomUUID();
  let key = 'k';
  for (let i = 0; i < 4; i++) key += Math.random().toString(36).slice(2, 10).padEnd(8, '0');
  return key + Date.now().toString(36);
}

function isPosition(value: unknown): value is Position {
  const p = value as Position | null | undefined;
  return typeof p === 'object' && p !== null && typeof p.offset === 'number' && typeof p.epoch === 'string';
}

/**
 * Tracks the newest stored position seen on a stream: a newer offset in the same epoch, or any
 * offset in a new epoch, moves it.
 */
class PositionTracker {
  current: Position | undefined;

  seen(offset: unknown, epoch: unknown): void {
    if (typeof offset !== 'number' || typeof epoch !== 'string') return;
    const cur = this.current;
    if (cur && cur.epoch === epoch && cur.offset >= offset) return;
    this.current = { offset, epoch };
  }

  seenPosition(value: unknown): void {
    if (isPosition(value)) this.seen(value.offset, value.epoch);
  }

  /** Replaces the position (after an unrecovered resume). */
  reset(value: unknown): void {
    this.current = isPosition(value) ? { offset: value.offset, epoch: value.epoch } : undefined;
  }
}

/**
 * Sends `op` and, if the connection dropped before the reply (`disconnected`), sends it once
 * more on the next connection. Only for requests made safe by an idempotency key.
 */
async function requestWithRetry<T>(client: OnairClient, op: string, args: object): Promise<T> {
  try {
    return await client.request<T>(op, args);
  } catch (err) {
    if (err instanceof OnairError && err.code === 'disconnected' && client.state !== 'closed') {
      return client.request<T>(op, args);
    }
    throw err;
  }
}

function isTransient(err: unknown): boolean {
  return err instanceof OnairError && (err.code === 'disconnected' || err.code === 'timeout');
}

/**
 * A room: members, presence, shared metadata, snapshots and a message stream with history.
 * Get it with `client.room(name)`; the same name gives the same object.
 *
 * Once joined, the room re-joins by itself after a reconnect, passing `since` (the last position
 * seen) so the server replays exactly the missed messages, and emits `resumed`.
 */
export class Room {
  readonly name: string;
  private readonly client: OnairClient;
  private readonly events = new Emitter<RoomEvents>();
  private readonly tracker = new PositionTracker();
  /** True while this connection should be a member (after join, until leave/destroyed). */
  private joined = false;
  private joinMetadata: Record<string, unknown> | undefined;
  private lastPresence: unknown;
  private hasPresence = false;
  /** Bumped by join/leave/destroy, so a late re-join result does not undo them. */
  private generation = 0;

  /** @internal Use `client.room(name)`. */
  constructor(client: OnairClient, name: string) {
    this.client = client;
    this.name = name;
    for (const event of ROOM_EVENTS) {
      client.on(`room.${event}`, (data: any, target: string | undefined) => {
        if (target !== this.name) return;
        this.dispatch(event, data);
      });
    }
    client.onReconnect(() => this.rejoin());
  }

  /** The newest stored position seen (from the join result and from stored messages). */
  get position(): Position | undefined {
    return this.tracker.current ? { ...this.tracker.current } : undefined;
  }

  /** Whether this client is (or is being re-made) a member. */
  get isJoined(): boolean {
    return this.joined;
  }

  /** Joins the room (`room.join`). Members, metadata and the current position come back. */
  async join(options: JoinOptions = {}): Promise<JoinResult> {
    checkObject('join options', options);
    const args: Record<string, unknown> = { room: this.name, ...pick(options as Record<string, unknown>, ['metadata', 'since']) };
    if (options.presence !== undefined) args['presence'] = options.presence;
    const generation = ++this.generation;
    const result = await this.client.request<JoinResult>('room.join', args);
    if (generation === this.generation) {
      this.joined = true;
      this.joinMetadata = options.metadata;
      this.hasPresence = options.presence !== undefined;
      this.lastPresence = options.presence;
    }
    if (options.since === undefined) this.tracker.seenPosition(result?.position);
    else if (result?.recovered === true) this.tracker.seenPosition(options.since); // replay moves it on
    else this.tracker.reset(result?.position);
    // The reply carries the first page of members; the rest come after (joined already, so a
    // failure here leaves the membership and its automatic re-joins in place).
    if (typeof result?.membersCursor === 'string') {
      const first = { members: result.members, cursor: result.membersCursor };
      result.members = await allPages('members', first, (cursor) => this.membersPage({ cursor }));
      result.membersCursor = null;
    }
    return result;
  }

  /** Leaves the room (`room.leave`); no more automatic re-joins. */
  async leave(): Promise<void> {
    this.generation++;
    this.joined = false;
    await this.client.request('room.leave', { room: this.name });
  }

  /**
   * Stores and delivers a message (`room.publish`). Without `idempotencyKey` one is generated,
   * and a publish cut off by a dropped connection is sent once more after the reconnect with
   * the same key, so it is stored at most once.
   */
  async publish<T = unknown>(options: PublishOptions<T>): Promise<PublishResult> {
    const args = messageArgs('publish', options, true);
    if (args['idempotencyKey'] === undefined) args['idempotencyKey'] = randomKey();
    const result = await requestWithRetry<PublishResult>(this.client, 'room.publish', { room: this.name, ...args });
    return result;
  }

  /** Delivers a message to the members without storing it (`room.broadcast`). */
  async broadcast<T = unknown>(options: BroadcastOptions<T>): Promise<void> {
    const args = messageArgs('broadcast', options, false);
    await this.client.request('room.broadcast', { room: this.name, ...args });
  }

  /**
   * Sends a message to one member (`room.send`): every connection of user `to` that joined the
   * room gets it as a `direct` event; nobody else does, and it is not stored. This connection
   * must have joined; `to` must be a member (`not_found` otherwise). Grant `publish`.
   */
  async send<T = unknown>(options: SendOptions<T>): Promise<void> {
    const o = checkObject('send options', options);
    if (typeof o['to'] !== 'string' || o['to'].length === 0) {
      throw new OnairError('invalid_argument', 'send: to must be a non-empty user id');
    }
    const args = messageArgs('send', options, false);
    await this.client.request('room.send', { room: this.name, to: o['to'], ...args });
  }

  /** One page of stored messages (`room.history`); pass `cursor` back for the next page. */
  async history<T = unknown>(options?: HistoryOptions): Promise<HistoryPage<T>> {
    return this.client.request<HistoryPage<T>>('room.history', { room: this.name, ...historyArgs(options) });
  }

  /** Every current member (`room.members`, all pages, in join order). */
  async members(): Promise<MembersResult> {
    const first = await this.membersPage();
    return { members: await allPages('members', first, (cursor) => this.membersPage({ cursor })), cursor: null };
  }

  /** One page of members (`room.members`); pass `cursor` back for the next page. */
  async membersPage(options?: MembersPageOptions): Promise<MembersResult> {
    return this.client.request<MembersResult>('room.members', { room: this.name, ...membersPageArgs(options) });
  }

  /** Sets this user's presence (`room.presence`); it is sent again on automatic re-joins. */
  async presence(state: unknown): Promise<void> {
    this.hasPresence = true;
    this.lastPresence = state;
    await this.client.request('room.presence', { room: this.name, presence: state });
  }

  /** Reads the shared metadata, or with `{metadata, version?}` replaces it (`room.metadata`). */
  async metadata<M = Record<string, unknown>>(write?: MetadataWrite<M>): Promise<MetadataResult<M>> {
    const args: Record<string, unknown> = { room: this.name };
    if (write !== undefined) {
      const w = checkObject('metadata write', write);
      checkObject('metadata', w['metadata']);
      args['metadata'] = w['metadata'];
      if (w['version'] !== undefined && w['version'] !== null) args['version'] = w['version'];
    }
    return this.client.request<MetadataResult<M>>('room.metadata', args);
  }

  /**
   * Members, metadata, the newest messages and the position (`room.snapshot`, every page: the
   * server splits a large snapshot so no reply outgrows the connection's send queue).
   */
  async snapshot<T = unknown>(options?: SnapshotOptions): Promise<Snapshot<T>> {
    if (options !== undefined) checkObject('snapshot options', options);
    const first = await this.client.request<Snapshot<T>>('room.snapshot', {
      room: this.name,
      ...pick(options as Record<string, unknown> | undefined, ['limit']),
    });
    return wholeSnapshot(first, (cursor) => this.client.request<Snapshot<T>>('room.snapshot', { room: this.name, cursor }));
  }

  /** Ends every membership and deletes history and metadata (`room.destroy`, grant `admin`). */
  async destroy(): Promise<void> {
    await this.client.request('room.destroy', { room: this.name });
    this.forgetStream();
  }

  /** Adds a handler; returns its remover. */
  on<K extends keyof RoomEvents>(event: K, handler: (...args: RoomEvents[K]) => void): () => void {
    return this.events.on(event, handler);
  }

  once<K extends keyof RoomEvents>(event: K, handler: (...args: RoomEvents[K]) => void): () => void {
    return this.events.once(event, handler);
  }

  off<K extends keyof RoomEvents>(event: K, handler: (...args: RoomEvents[K]) => void): void {
    this.events.off(event, handler);
  }

  private forgetStream(): void {
    this.generation++;
    this.joined = false;
    this.tracker.reset(undefined);
  }

  private dispatch(event: (typeof ROOM_EVENTS)[number], data: any): void {
    switch (event) {
      case 'message':
        if (data && typeof data === 'object') this.tracker.seen(data.offset, data.epoch);
        this.events.emit('message', data as Message);
        break;
      case 'direct':
        this.events.emit('direct', data as DirectMessage);
        break;
      case 'memberJoined':
        this.events.emit('memberJoined', data as Member);
        break;
      case 'memberLeft':
        this.events.emit('memberLeft', data as { userId: string });
        break;
      case 'presence':
        this.events.emit('presence', data as { userId: string; presence: unknown });
        break;
      case 'metadata':
        this.events.emit('metadata', data as MetadataEvent);
        break;
      case 'destroyed':
        this.forgetStream();
        this.events.emit('destroyed', (data ?? {}) as Record<string, never>);
        break;
    }
  }

  /** Reconnect hook: joins again with `since` and emits `resumed`. */
  private async rejoin(): Promise<void> {
    if (!this.joined) return;
    const generation = this.generation;
    const args: Record<string, unknown> = { room: this.name };
    if (this.joinMetadata !== undefined) args['metadata'] = this.joinMetadata;
    if (this.hasPresence) args['presence'] = this.lastPresence;
    const since = this.tracker.current;
    if (since) args['since'] = since;
    let result: JoinResult;
    try {
      result = await this.client.request<JoinResult>('room.join', args);
    } catch (err) {
      // A drop is retried by the next reconnect; anything else ends the membership.
      if (!isTransient(err) && generation === this.generation) this.joined = false;
      throw err;
    }
    if (generation !== this.generation) return;
    const recovered = since !== undefined && result?.recovered === true;
    // Recovered: the replayed messages move the position (they may arrive after this reply).
    if (!recovered) this.tracker.reset(result?.position);
    this.events.emit('resumed', { recovered, position: this.position });
  }
}

/**
 * A channel: a message stream with history and stats. Get it with `client.channel(name)`.
 * Once subscribed, it subscribes again by itself after a reconnect with `since` and emits
 * `resumed`.
 */
export class Channel {
  readonly name: string;
  private readonly client: OnairClient;
  private readonly events = new Emitter<ChannelEvents>();
  private readonly tracker = new PositionTracker();
  private subscribed = false;
  private generation = 0;
  /** Removers of the handlers passed to subscribe(). */
  private handlerRemovers: (() => void)[] = [];

  /** @internal Use `client.channel(name)`. */
  constructor(client: OnairClient, name: string) {
    this.client = client;
    this.name = name;
    client.on('channel.message', (data: any, target: string | undefined) => {
      if (target !== this.name) return;
      if (data && typeof data === 'object') this.tracker.seen(data.offset, data.epoch);
      this.events.emit('message', data as Message);
    });
    client.onReconnect(() => this.resubscribe());
  }

  get position(): Position | undefined {
    return this.tracker.current ? { ...this.tracker.current } : undefined;
  }

  get isSubscribed(): boolean {
    return this.subscribed;
  }

  /**
   * Subscribes (`channel.subscribe`). `handler`, if given, gets every message until
   * `unsubscribe()`. With `since`, the server first sends the stored messages after it.
   */
  async subscribe<T = unknown>(
    handler?: (message: Message<T>) => void,
    options: SubscribeOptions = {},
  ): Promise<SubscribeResult> {
    if (handler !== undefined && typeof handler !== 'function') {
      throw new OnairError('invalid_argument', 'subscribe: handler must be a function');
    }
    checkObject('subscribe options', options);
    // Registered first: messages replayed for `since` may arrive before the reply.
    const remove = handler ? this.events.on('message', handler as (message: Message) => void) : undefined;
    if (remove) this.handlerRemovers.push(remove);
    const generation = ++this.generation;
    let result: SubscribeResult;
    try {
      result = await this.client.request<SubscribeResult>('channel.subscribe', {
        channel: this.name,
        ...pick(options as Record<string, unknown>, ['since']),
      });
    } catch (err) {
      if (remove) {
        remove();
        this.handlerRemovers = this.handlerRemovers.filter((r) => r !== remove);
      }
      throw err;
    }
    if (generation === this.generation) this.subscribed = true;
    if (options.since === undefined) this.tracker.seenPosition(result?.position);
    else if (result?.recovered === true) this.tracker.seenPosition(options.since); // replay moves it on
    else this.tracker.reset(result?.position);
    return result;
  }

  /** Unsubscribes and removes the handlers given to subscribe(). */
  async unsubscribe(): Promise<void> {
    this.generation++;
    this.subscribed = false;
    for (const remove of this.handlerRemovers.splice(0)) remove();
    await this.client.request('channel.unsubscribe', { channel: this.name });
  }

  /** Stores and delivers a message; idempotent and retried once after a drop, as Room.publish. */
  async publish<T = unknown>(options: PublishOptions<T>): Promise<PublishResult> {
    const args = messageArgs('publish', options, true);
    if (args['idempotencyKey'] === undefined) args['idempotencyKey'] = randomKey();
    return requestWithRetry<PublishResult>(this.client, 'channel.publish', { channel: this.name, ...args });
  }

  async broadcast<T = unknown>(options: BroadcastOptions<T>): Promise<void> {
    const args = messageArgs('broadcast', options, false);
    await this.client.request('channel.broadcast', { channel: this.name, ...args });
  }

  async history<T = unknown>(options?: HistoryOptions): Promise<HistoryPage<T>> {
    return this.client.request<HistoryPage<T>>('channel.history', { channel: this.name, ...historyArgs(options) });
  }

  async stats(): Promise<ChannelStats> {
    return this.client.request<ChannelStats>('channel.stats', { channel: this.name });
  }

  on<K extends keyof ChannelEvents>(event: K, handler: (...args: ChannelEvents[K]) => void): () => void {
    return this.events.on(event, handler);
  }

  once<K extends keyof ChannelEvents>(event: K, handler: (...args: ChannelEvents[K]) => void): () => void {
    return this.events.once(event, handler);
  }

  off<K extends keyof ChannelEvents>(event: K, handler: (...args: ChannelEvents[K]) => void): void {
    this.events.off(event, handler);
  }

  private async resubscribe(): Promise<void> {
    if (!this.subscribed) return;
    const generation = this.generation;
    const since = this.tracker.current;
    const args: Record<string, unknown> = { channel: this.name };
    if (since) args['since'] = since;
    let result: SubscribeResult;
    try {
      result = await this.client.request<SubscribeResult>('channel.subscribe', args);
    } catch (err) {
      if (!isTransient(err) && generation === this.generation) this.subscribed = false;
      throw err;
    }
    if (generation !== this.generation) return;
    const recovered = since !== undefined && result?.recovered === true;
    // Recovered: the replayed messages move the position (they may arrive after this reply).
    if (!recovered) this.tracker.reset(result?.position);
    this.events.emit('resumed', { recovered, position: this.position });
  }
}
