import { Emitter } from '../common/Emitter.js';
import { OnairError } from '../common/OnairError.js';
import {
  STAGE_EVENTS,
  checkSubscribeType,
  checkUserIds,
  isStageStatus,
  type StageEvents,
  type StageParticipant,
  type StageRecord,
  type StageRequest,
  type StageStatus,
  type SubscribeType,
} from '../common/stage.js';
import type { OnairClient } from './OnairClient.js';

/** The result of `stage.open`. */
export interface StageOpenResult {
  stage: StageRecord;
  status: StageStatus;
  participants: StageParticipant[];
  /** This user's participant id on the stage. */
  participantId?: string;
  /** Hosts only: the pending requests, oldest first. */
  requests?: StageRequest[];
  [key: string]: unknown;
}

/** The result of a status change (`requestAccess`, `cancelRequestAccess`, `join`, `leave`). */
export interface StageStatusResult {
  status: StageStatus;
  [key: string]: unknown;
}

function isTransient(err: unknown): boolean {
  return err instanceof OnairError && (err.code === 'disconnected' || err.code === 'timeout');
}

/**
 * A stage: hosts and viewers, requests to join and host controls. Its media goes through
 * `client.streams` in the stage's media room, `streamRoomId` (join it, publish once ON_STAGE,
 * subscribe to what participants publish); `participantStreamsAdded` / `participantStreamsRemoved`
 * report what is published there.
 * Get it with `client.stage(stageId)`; the same id gives the same object. The token must carry a
 * grant for the stage (a participant token from `server.stages.createParticipantToken`).
 *
 * Every method opens the stage first (`stage.open`) if that has not happened yet; once opened,
 * the stage is opened again by itself after a reconnect, and `status` is kept current from the
 * server's events.
 */
export class Stage {
  readonly id: string;
  private readonly client: OnairClient;
  private readonly events = new Emitter<StageEvents>();
  private currentStatus: StageStatus | undefined;
  private currentRequests: StageRequest[] | undefined;
  private record: StageRecord | undefined;
  private ownParticipantId: string | undefined;
  /** The pending or settled first open; cleared when it fails, so the next call tries again. */
  private opening: Promise<StageOpenResult> | undefined;
  /** True once an open succeeded: re-open after reconnects. */
  private opened = false;
  /** Counts `stageStatusUpdate` events, so a reply does not undo a newer event. */
  private statusEvents = 0;

  /** @internal Use `client.stage(stageId)`. */
  constructor(client: OnairClient, id: string) {
    this.client = client;
    this.id = id;
    for (const event of STAGE_EVENTS) {
      client.on(`stage.${event}`, (data: any, target: string | undefined) => {
        if (target !== this.id) return;
        this.dispatch(event, data && typeof data === 'object' ? data : {});
      });
    }
    client.onReconnect(() => this.reopen());
  }

  /** This user's status on the stage; `undefined` until the stage was opened. */
  get status(): StageStatus | undefined {
    return this.currentStatus;
  }

  /** Hosts: the pending requests, oldest first, kept current; `undefined` for viewers. */
  get requests(): StageRequest[] | undefined {
    return this.currentRequests ? this.currentRequests.map((r) => ({ ...r })) : undefined;
  }

  /** The stage as stored (from the latest open); `undefined` until opened. */
  get info(): StageRecord | undefined {
    return this.record;
  }

  /** The stage's media room (for `client.streams`); `undefined` until opened. */
  get streamRoomId(): string | undefined {
    return typeof this.record?.streamRoomId === 'string' ? this.record.streamRoomId : undefined;
  }

  /** This user's participant id on the stage (from the latest open). */
  get participantId(): string | undefined {
    return this.ownParticipantId;
  }

  /** Whether this user is a host of the stage (known once opened). */
  get isHost(): boolean {
    return this.currentRequests !== undefined;
  }

  /** Whether the stage is open on this client (and re-opened after reconnects). */
  get isOpen(): boolean {
    return this.opened;
  }

  /**
   * Becomes a participant and receives the stage's events (`stage.open`). The other methods call
   * it on first use; calling it again refreshes `status` and `requests`.
   */
  open(): Promise<StageOpenResult> {
    const promise = this.sendOpen(false);
    this.opening = promise;
    promise.catch(() => {
      if (this.opening === promise) this.opening = undefined;
    });
    return promise;
  }

  /** Asks to join: `OFF_STAGE` → `REQUESTED_TO_JOIN_STAGE` (hosts: `ACCEPTED_TO_JOIN_STAGE`). */
  requestAccess(): Promise<StageStatusResult> {
    return this.transition('stage.requestAccess');
  }

  /** Withdraws a request: `REQUESTED…` / `ACCEPTED…` → `OFF_STAGE`. */
  cancelRequestAccess(): Promise<StageStatusResult> {
    return this.transition('stage.cancelRequestAccess');
  }

  /** Goes on stage: `ACCEPTED_TO_JOIN_STAGE` → `ON_STAGE` (needs `PUBLISH`; `cap_exceeded` when full). */
  join(): Promise<StageStatusResult> {
    return this.transition('stage.join');
  }

  /** Leaves the stage: `ON_STAGE` / `ACCEPTED…` → `OFF_STAGE`. */
  leave(): Promise<StageStatusResult> {
    return this.transition('stage.leave');
  }

  /** Hosts: accepts the requests of these users (all or nothing: `conflict` if one is not pending). */
  async grantAccess(userIds: string[]): Promise<void> {
    await this.call('stage.grantAccess', { userIds: checkUserIds('grantAccess', userIds) });
  }

  /** Hosts: rejects the requests of these users. */
  async denyAccess(userIds: string[]): Promise<void> {
    await this.call('stage.denyAccess', { userIds: checkUserIds('denyAccess', userIds) });
  }

  /** Hosts: sends these users `OFF_STAGE`. */
  async kick(userIds: string[]): Promise<void> {
    await this.call('stage.kick', { userIds: checkUserIds('kick', userIds) });
  }

  /** Everyone on the stage, with status, capabilities and the streams they publish. */
  async participants(): Promise<StageParticipant[]> {
    const result = await this.call<{ participants?: StageParticipant[] }>('stage.participants', {});
    return Array.isArray(result?.participants) ? result.participants : [];
  }

  /** Chooses what to receive of a participant's media (needs `SUBSCRIBE`). */
  async setSubscribeType(participantId: string, type: SubscribeType): Promise<void> {
    if (typeof participantId !== 'string' || participantId.length === 0) {
      throw new OnairError('invalid_argument', 'setSubscribeType: participantId must be a non-empty string');
    }
    await this.call('stage.setSubscribeType', { participantId, type: checkSubscribeType(type) });
  }

  /** Adds a handler; returns its remover. */
  on<K extends keyof StageEvents>(event: K, handler: (...args: StageEvents[K]) => void): () => void {
    return this.events.on(event, handler);
  }

  once<K extends keyof StageEvents>(event: K, handler: (...args: StageEvents[K]) => void): () => void {
    return this.events.once(event, handler);
  }

  off<K extends keyof StageEvents>(event: K, handler: (...args: StageEvents[K]) => void): void {
    this.events.off(event, handler);
  }

  private ensureOpen(): Promise<StageOpenResult> {
    return this.opening ?? this.open();
  }

  private async call<T = unknown>(op: string, args: Record<string, unknown>): Promise<T> {
    await this.ensureOpen();
    return this.client.request<T>(op, { stageId: this.id, ...args });
  }

  private async transition(op: string): Promise<StageStatusResult> {
    await this.ensureOpen();
    const seen = this.statusEvents;
    const result = await this.client.request<StageStatusResult>(op, { stageId: this.id });
    // The event for this change may have come first; a newer event wins over this reply.
    if (seen === this.statusEvents && isStageStatus(result?.status)) this.currentStatus = result.status;
    return result;
  }

  /** Sends `stage.open` and takes its status, requests and record. */
  private async sendOpen(emitChanges: boolean): Promise<StageOpenResult> {
    const seen = this.statusEvents;
    const result = await this.client.request<StageOpenResult>('stage.open', { stageId: this.id });
    this.opened = true;
    if (result?.stage && typeof result.stage === 'object') this.record = result.stage;
    if (typeof result?.participantId === 'string') this.ownParticipantId = result.participantId;
    const before = this.currentStatus;
    if (seen === this.statusEvents && isStageStatus(result?.status)) this.currentStatus = result.status;
    const requestsBefore = this.currentRequests;
    this.currentRequests = Array.isArray(result?.requests) ? result.requests.map((r) => ({ ...r })) : undefined;
    if (emitChanges) {
      if (this.currentStatus !== undefined && this.currentStatus !== before) {
        this.events.emit('stageStatusUpdate', { status: this.currentStatus });
      }
      if (this.currentRequests && JSON.stringify(this.currentRequests) !== JSON.stringify(requestsBefore ?? [])) {
        this.events.emit('stageAccessRequestUpdate', { requests: this.requests ?? [] });
      }
    }
    return result;
  }

  /** Reconnect hook: opens the stage again and reports what changed while disconnected. */
  private async reopen(): Promise<void> {
    if (!this.opened) return;
    const promise = this.sendOpen(true);
    this.opening = promise;
    try {
      await promise;
    } catch (err) {
      // A drop is retried by the next reconnect; anything else (the stage was deleted, the token
      // no longer fits) ends the automatic re-opens until a method opens the stage again.
      if (!isTransient(err)) {
        this.opened = false;
        if (this.opening === promise) this.opening = undefined;
      }
      throw err;
    }
  }

  private dispatch(event: keyof StageEvents, data: Record<string, any>): void {
    switch (event) {
      case 'stageStatusUpdate':
        if (!isStageStatus(data['status'])) return;
        this.statusEvents++;
        this.currentStatus = data['status'];
        this.events.emit('stageStatusUpdate', { status: data['status'] });
        break;
      case 'stageAccessRequestUpdate': {
        const requests = Array.isArray(data['requests']) ? (data['requests'] as StageRequest[]) : [];
        this.currentRequests = requests.map((r) => ({ ...r }));
        this.events.emit('stageAccessRequestUpdate', { requests });
        break;
      }
      case 'newStageRequest':
        this.events.emit('newStageRequest', data as StageEvents['newStageRequest'][0]);
        break;
      case 'stageRequestApproved':
        this.events.emit('stageRequestApproved', data as Record<string, never>);
        break;
      case 'stageRequestRejected':
        this.events.emit('stageRequestRejected', data as Record<string, never>);
        break;
      case 'participantJoined':
        this.events.emit('participantJoined', data as StageEvents['participantJoined'][0]);
        break;
      case 'participantLeft':
        this.events.emit('participantLeft', data as StageEvents['participantLeft'][0]);
        break;
      case 'participantStreamsAdded':
        this.events.emit('participantStreamsAdded', data as StageEvents['participantStreamsAdded'][0]);
        break;
      case 'participantStreamsRemoved':
        this.events.emit('participantStreamsRemoved', data as StageEvents['participantStreamsRemoved'][0]);
        break;
    }
  }
}
