import { OnairError } from '../common/OnairError.js';
import { checkObject, pick } from '../common/rooms.js';
import {
  checkStageId,
  type StageCapability,
  type StageParticipant,
  type StageRecord,
  type StageRole,
} from '../common/stage.js';
import type { RequestFn } from './rooms.js';

/** Fields of `POST /v1/stages` (and of `PATCH`, where all are optional). */
export interface StageCreateOptions {
  name: string;
  /** 1–100, default 12. */
  maxPublishers?: number;
  maxParticipants?: number;
  /** Stored for later. */
  recording?: unknown;
  /** Stored for later. */
  composition?: unknown;
}

export type StageUpdateOptions = Partial<StageCreateOptions>;

export interface ParticipantTokenOptions {
  stageId: string;
  userId: string;
  /** Default `["PUBLISH", "SUBSCRIBE"]`. */
  capabilities?: StageCapability[];
  /** Lifetime in minutes, 1–20160 (default 720). */
  duration?: number;
  /** String attributes, visible to the other participants. */
  attributes?: Record<string, string>;
  /** Default `viewer`. */
  role?: StageRole;
}

export interface ParticipantToken {
  /** An onair access token: pass it to `connect()`. */
  token: string;
  participantId: string;
  userId: string;
  /** ISO 8601. */
  expirationTime: string;
}

const STAGE_FIELDS = ['name', 'maxPublishers', 'maxParticipants', 'recording', 'composition'];

/** Stages from the app backend (`server.stages`, `/v1/stages/…`). */
export class ServerStages {
  private readonly call: RequestFn;

  /** @internal Use `server.stages`. */
  constructor(call: RequestFn) {
    this.call = call;
  }

  /** Creates a stage (`POST /v1/stages`). */
  async create(options: StageCreateOptions): Promise<StageRecord> {
    const o = checkObject('stage options', options);
    if (typeof o['name'] !== 'string' || o['name'].length === 0) {
      throw new OnairError('invalid_argument', 'stages.create: name must be a non-empty string');
    }
    return this.call('POST', '/v1/stages', pick(o, STAGE_FIELDS));
  }

  /** One stage (`GET /v1/stages/{id}`); `not_found` when there is none. */
  async get(stageId: string): Promise<StageRecord> {
    return this.call('GET', path(stageId, 'stages.get'));
  }

  /** Every stage (`GET /v1/stages`). */
  async list(): Promise<StageRecord[]> {
    const result = await this.call<{ stages?: StageRecord[] }>('GET', '/v1/stages');
    return Array.isArray(result?.stages) ? result.stages : [];
  }

  /** Changes some fields (`PATCH /v1/stages/{id}`) and returns the stage. */
  async update(stageId: string, fields: StageUpdateOptions): Promise<StageRecord> {
    const where = path(stageId, 'stages.update');
    const o = checkObject('stage fields', fields);
    return this.call('PATCH', where, pick(o, STAGE_FIELDS));
  }

  /** Deletes a stage (`DELETE /v1/stages/{id}`); everyone goes `OFF_STAGE`. */
  async delete(stageId: string): Promise<{ ok: true }> {
    await this.call('DELETE', path(stageId, 'stages.delete'));
    return { ok: true };
  }

  /**
   * Mints a participant token (`POST /v1/stages/{id}/participant-tokens`): an access token with
   * the grant `stage:<id>:<role>` plus `publish`/`subscribe` for the capabilities.
   */
  async createParticipantToken(options: ParticipantTokenOptions): Promise<ParticipantToken> {
    const o = checkObject('participant token options', options);
    const where = path(o['stageId'], 'stages.createParticipantToken');
    if (typeof o['userId'] !== 'string' || o['userId'].length === 0) {
      throw new OnairError('invalid_argument', 'stages.createParticipantToken: userId must be a non-empty string');
    }
    const body = pick(o, ['userId', 'capabilities', 'duration', 'attributes', 'role']);
    const result = await this.call<ParticipantToken>('POST', `${where}/participant-tokens`, body);
    if (typeof result?.token !== 'string' || typeof result?.participantId !== 'string') {
      throw new OnairError('internal', 'participant-tokens: the reply lacks token or participantId');
    }
    return {
      token: result.token,
      participantId: result.participantId,
      userId: result.userId,
      expirationTime: result.expirationTime,
    };
  }

  /** Everyone on the stage, with `connected` (`GET /v1/stages/{id}/participants`). */
  async listParticipants(stageId: string): Promise<StageParticipant[]> {
    const result = await this.call<{ participants?: StageParticipant[] }>('GET', `${path(stageId, 'stages.listParticipants')}/participants`);
    return Array.isArray(result?.participants) ? result.participants : [];
  }

  /**
   * Sends a participant `OFF_STAGE` and closes its connections with 4012 and `reason`
   * (`POST /v1/stages/{id}/participants/{participantId}/disconnect`).
   */
  async disconnectParticipant(stageId: string, participantId: string, reason?: string): Promise<{ ok: true }> {
    const where = path(stageId, 'stages.disconnectParticipant');
    if (typeof participantId !== 'string' || participantId.length === 0) {
      throw new OnairError('invalid_argument', 'stages.disconnectParticipant: participantId must be a non-empty string');
    }
    if (reason !== undefined && typeof reason !== 'string') {
      throw new OnairError('invalid_argument', 'stages.disconnectParticipant: reason must be a string');
    }
    await this.call('POST', `${where}/participants/${encodeURIComponent(participantId)}/disconnect`, reason === undefined ? {} : { reason });
    return { ok: true };
  }
}

function path(stageId: unknown, where: string): string {
  return `/v1/stages/${encodeURIComponent(checkStageId(where, stageId))}`;
}
