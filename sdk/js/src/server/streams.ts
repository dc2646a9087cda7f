import {
  checkContextId,
  checkStreamRoomId,
  listArgs,
  roomArgs,
  toStreamRoom,
  toStreamRoomList,
  updateArgs,
  type StreamListQuery,
  type StreamRoom,
  type StreamRoomList,
  type StreamUser,
} from '../common/streams.js';
import type { RequestFn } from './rooms.js';

/**
 * Stream rooms managed by the app backend (`server.streams`, HTTP `/v1/streams/rooms`): the same
 * calls as `client.streams`, acting on every room of every context (no user, no manager check).
 */
export class ServerStreams {
  private readonly call: RequestFn;

  /** @internal Use `server.streams`. */
  constructor(call: RequestFn) {
    this.call = call;
  }

  async createStreamRoom(contextId: string, users: StreamUser[], managers: StreamUser[], publicMeta: Uint8Array,
                         privateMeta: Uint8Array, policy?: Record<string, unknown>): Promise<string> {
    const body = { contextId: checkContextId('createStreamRoom', contextId), ...roomArgs('createStreamRoom', users, managers, publicMeta, privateMeta, policy) };
    const r = await this.call<{ streamRoomId: string }>('POST', '/v1/streams/rooms', body);
    return r.streamRoomId;
  }

  async updateStreamRoom(streamRoomId: string, users: StreamUser[], managers: StreamUser[], publicMeta: Uint8Array,
                         privateMeta: Uint8Array, version: number, force: boolean, forceGenerateNewKey: boolean,
                         policy?: Record<string, unknown>): Promise<void> {
    const id = checkStreamRoomId('updateStreamRoom', streamRoomId);
    await this.call('PUT', `/v1/streams/rooms/${encodeURIComponent(id)}`, updateArgs(users, managers, publicMeta, privateMeta, version, force, forceGenerateNewKey, policy));
  }

  async getStreamRoom(streamRoomId: string): Promise<StreamRoom> {
    const id = checkStreamRoomId('getStreamRoom', streamRoomId);
    return toStreamRoom(await this.call('GET', `/v1/streams/rooms/${encodeURIComponent(id)}`));
  }

  /** A page of all the rooms of `contextId`. */
  async listStreamRooms(contextId: string, query?: StreamListQuery): Promise<StreamRoomList> {
    const params = new URLSearchParams({ contextId: checkContextId('listStreamRooms', contextId) });
    for (const [k, v] of Object.entries(listArgs('listStreamRooms', query))) params.set(k, String(v));
    return toStreamRoomList(await this.call('GET', `/v1/streams/rooms?${params}`));
  }

  async deleteStreamRoom(streamRoomId: string): Promise<void> {
    const id = checkStreamRoomId('deleteStreamRoom', streamRoomId);
    await this.call('DELETE', `/v1/streams/rooms/${encodeURIComponent(id)}`);
  }
}
