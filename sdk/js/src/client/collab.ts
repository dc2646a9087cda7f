import { OnairError } from '../common/OnairError.js';
import { checkObject } from '../common/rooms.js';
import type { OnairClient } from './OnairClient.js';

export type CollabRoomKind = 'workspace' | 'item' | 'code';

export interface CollabTokenOptions {
  /** The Yjs room (a grant `collab:<room>:read-write` or `:readonly` is needed). */
  room: string;
  kind: CollabRoomKind;
  /** Lifetime in seconds; default and maximum set by the server (600 by default). */
  ttl?: number;
}

/** A short-lived Hocuspocus JWT for one room. */
export interface CollabToken {
  token: string;
  /** ISO-8601. */
  expiresAt: string;
  scope: 'read-write' | 'readonly';
}

/** TURN credentials (coturn REST scheme) for a widget-owned RTCPeerConnection. */
export interface TurnCredentials {
  urls: string[];
  username: string;
  credential: string;
  /** Seconds. */
  ttl: number;
}

/** `client.collab`: credentials for N-to-N rooms (Yjs over Hocuspocus, WebRTC over TURN). */
export class Collab {
  private readonly client: OnairClient;

  /** @internal Use `client.collab`. */
  constructor(client: OnairClient) {
    this.client = client;
  }

  /** Mints a room token (`collab.token`). */
  async token(options: CollabTokenOptions): Promise<CollabToken> {
    const o = checkObject('collab.token options', options);
    if (typeof o['room'] !== 'string' || o['room'].length === 0) {
      throw new OnairError('invalid_argument', 'collab.token: room must be a non-empty string');
    }
    if (typeof o['kind'] !== 'string' || o['kind'].length === 0) {
      throw new OnairError('invalid_argument', 'collab.token: kind must be workspace, item or code');
    }
    const args: Record<string, unknown> = { room: o['room'], kind: o['kind'] };
    if (o['ttl'] !== undefined && o['ttl'] !== null) {
      if (typeof o['ttl'] !== 'number' || !Number.isInteger(o['ttl']) || o['ttl'] <= 0) {
        throw new OnairError('invalid_argument', 'collab.token: ttl must be a positive integer number of seconds');
      }
      args['ttl'] = o['ttl'];
    }
    return this.client.request<CollabToken>('collab.token', args);
  }

  /** TURN credentials (`collab.turnCredentials`); `not_found` when the server has no TURN URLs. */
  turnCredentials(): Promise<TurnCredentials> {
    return this.client.request<TurnCredentials>('collab.turnCredentials', {});
  }
}
