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
  type HistoryOptions,
  type HistoryPage,
  type Member,
  type MembersPageOptions,
  type MembersResult,
  type MetadataResult,
  type MetadataWrite,
  type PresenceList,
  type PublishOptions,
  type PublishResult,
  type Snapshot,
  type SnapshotOptions,
  wholeSnapshot,
} from '../common/rooms.js';
import type { HttpMethod } from './OnairServer.js';

/** What the room and channel helpers need from OnairServer. */
export interface RequestFn {
  <T = any>(method: HttpMethod, path: string, body?: unknown): Promise<T>;
}

export interface ServerJoinOptions {
  userId: string;
  name?: string;
  metadata?: Record<string, unknown>;
  presence?: unknown;
}

function query(params: Record<string, unknown>): string {
  const entries = Object.entries(params).map(([k, v]) => [k, String(v)] as [string, string]);
  return entries.length ? `?${new URLSearchParams(entries).toString()}` : '';
}

/** A room seen from the app backend (`/v1/rooms/{room}/…`). Get it with `server.room(name)`. */
export class ServerRoom {
  readonly name: string;
  private readonly call: RequestFn;
  private readonly base: string;

  /** @internal Use `server.room(name)`. */
  constructor(call: RequestFn, name: string) {
    this.call = call;
    this.name = name;
    this.base = `/v1/rooms/${encodeURIComponent(name)}`;
  }

  /** Stores and delivers a message (`publisher: null`). */
  async publish<T = unknown>(options: PublishOptions<T>): Promise<PublishResult> {
    return this.call('POST', `${this.base}/publish`, messageArgs('publish', options, true));
  }

  async broadcast<T = unknown>(options: BroadcastOptions<T>): Promise<void> {
    await this.call('POST', `${this.base}/broadcast`, messageArgs('broadcast', options, false));
  }

  async history<T = unknown>(options?: HistoryOptions): Promise<HistoryPage<T>> {
    return this.call('GET', `${this.base}/history${query(historyArgs(options))}`);
  }

  /** Every current member (all pages, in join order). */
  async members(): Promise<MembersResult> {
    const first = await this.membersPage();
    return { members: await allPages('members', first, (cursor) => this.membersPage({ cursor })), cursor: null };
  }

  /** One page of members; pass `cursor` back for the next page. */
  async membersPage(options?: MembersPageOptions): Promise<MembersResult> {
    return this.call('GET', `${this.base}/members${query(membersPageArgs(options))}`);
  }

  /** Every member's presence (all pages, in join order). */
  async presence(): Promise<PresenceList> {
    const first = await this.presencePage();
    return { presence: await allPages('presence', first, (cursor) => this.presencePage({ cursor })), cursor: null };
  }

  /** One page of presence; pass `cursor` back for the next page. */
  async presencePage(options?: MembersPageOptions): Promise<PresenceList> {
    return this.call('GET', `${this.base}/presence${query(membersPageArgs(options))}`);
  }

  /** Reads the shared metadata, or with `{metadata, version?}` replaces it. */
  async metadata<M = Record<string, unknown>>(write?: MetadataWrite<M>): Promise<MetadataResult<M>> {
    if (write === undefined) return this.call('GET', `${this.base}/metadata`);
    const w = checkObject('metadata write', write);
    checkObject('metadata', w['metadata']);
    return this.call('PUT', `${this.base}/metadata`, pick(w, ['metadata', 'version']));
  }

  async snapshot<T = unknown>(options?: SnapshotOptions): Promise<Snapshot<T>> {
    if (options !== undefined) checkObject('snapshot options', options);
    const first: Snapshot<T> = await this.call('GET', `${this.base}/snapshot${query(pick(options as Record<string, unknown> | undefined, ['limit']))}`);
    return wholeSnapshot(first, (cursor) => this.call('GET', `${this.base}/snapshot${query({ cursor })}`));
  }

  /** Adds a member held by the server until `leave(userId)`. */
  async join(options: ServerJoinOptions): Promise<Member> {
    const o = checkObject('join options', options);
    if (typeof o['userId'] !== 'string' || o['userId'].length === 0) {
      throw new OnairError('invalid_argument', 'join: userId must be a non-empty string');
    }
    const body = pick(o, ['userId', 'name', 'metadata']);
    if (o['presence'] !== undefined) body['presence'] = o['presence'];
    return this.call('POST', `${this.base}/members`, body);
  }

  async leave(userId: string): Promise<void> {
    if (typeof userId !== 'string' || userId.length === 0) {
      throw new OnairError('invalid_argument', 'leave: userId must be a non-empty string');
    }
    await this.call('DELETE', `${this.base}/members/${encodeURIComponent(userId)}`);
  }

  /** Ends every membership (members get `room.destroyed`) and deletes history and metadata. */
  async destroy(): Promise<void> {
    await this.call('DELETE', this.base);
  }
}

/** A channel seen from the app backend (`/v1/channels/{channel}/…`). */
export class ServerChannel {
  readonly name: string;
  private readonly call: RequestFn;
  private readonly base: string;

  /** @internal Use `server.channel(name)`. */
  constructor(call: RequestFn, name: string) {
    this.call = call;
    this.name = name;
    this.base = `/v1/channels/${encodeURIComponent(name)}`;
  }

  async publish<T = unknown>(options: PublishOptions<T>): Promise<PublishResult> {
    return this.call('POST', `${this.base}/publish`, messageArgs('publish', options, true));
  }

  async broadcast<T = unknown>(options: BroadcastOptions<T>): Promise<void> {
    await this.call('POST', `${this.base}/broadcast`, messageArgs('broadcast', options, false));
  }

  async history<T = unknown>(options?: HistoryOptions): Promise<HistoryPage<T>> {
    return this.call('GET', `${this.base}/history${query(historyArgs(options))}`);
  }

  async stats(): Promise<ChannelStats> {
    return this.call('GET', `${this.base}/stats`);
  }

  async destroy(): Promise<void> {
    await this.call('DELETE', this.base);
  }
}
