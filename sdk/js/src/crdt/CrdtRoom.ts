import * as Y from 'yjs';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as syncProtocol from 'y-protocols/sync';
import * as encoding from 'lib0/encoding';
import * as decoding from 'lib0/decoding';
import { Emitter } from '../common/Emitter.js';
import { OnairError } from '../common/OnairError.js';
import { encodeBinaryFrame, MAX_BINARY_TARGET_BYTES } from '../common/binaryFrame.js';
import { checkName, checkObject } from '../common/rooms.js';
import type { OnairClient } from '../client/OnairClient.js';
import type { CollabToken } from '../client/collab.js';

/** y-websocket message types (the first varUint of every payload). */
const MESSAGE_SYNC = 0;
const MESSAGE_AWARENESS = 1;
const MESSAGE_QUERY_AWARENESS = 3;
/** Binary frames of room `r` carry the target `yjs:<r>`. */
const TARGET_PREFIX = 'yjs:';
const MAX_ROOM_CHARS = MAX_BINARY_TARGET_BYTES - TARGET_PREFIX.length;
/** A Yjs update (encoding v1) with no structs and an empty delete set. */
const EMPTY_UPDATE = new Uint8Array([0, 0]);
/** The origin of the awareness removal destroy() sends (not `this`: that marks remote changes). */
const DESTROY_ORIGIN = 'onair.crdtRoom.destroy';

/** What the token's `collab:<room>:…` grant allows: `readonly` rooms send no updates. */
export type CrdtRoomScope = CollabToken['scope'];

/** `connecting` until `collab.open` answers, `connected` after, `disconnected` when the connection drops. */
export type CrdtRoomStatus = 'connecting' | 'connected' | 'disconnected';

export interface CrdtRoomOptions {
  /** The document to bind; default a new `Y.Doc` (or `awareness.doc`). */
  doc?: Y.Doc;
  /** The awareness to share (of `doc`); default a new one, destroyed by `destroy()`. */
  awareness?: awarenessProtocol.Awareness;
}

export interface WhenSyncedOptions {
  /** Reject with `timeout` after this many milliseconds; default: wait. */
  timeoutMs?: number;
}

export interface CrdtRoomEvents {
  /** true on the server's sync step 2 after each (re)open; false when the connection drops. */
  synced: [synced: boolean];
  status: [info: { status: CrdtRoomStatus }];
  /** `collab.open` failed (`permission` without a grant), or a message could not be handled. */
  error: [error: OnairError];
}

/** The reply to `collab.open`. */
interface OpenResult {
  room: string;
  scope: CrdtRoomScope;
}

interface SyncWaiter {
  resolve: () => void;
  reject: (error: OnairError) => void;
}

/**
 * A Yjs document bound to the onair room `name` over the client's own connection
 * (docs/protocol.md, "Yjs over the onair connection"): y-websocket messages in binary frames with
 * the target `yjs:<name>`, with awareness. Behaves like y-websocket's WebsocketProvider: sync
 * step 1 both ways after every (re)open, local updates and awareness changes sent as they happen.
 * Create it with `crdtRoom(client, name)`.
 */
export class CrdtRoom {
  readonly name: string;
  readonly doc: Y.Doc;
  readonly awareness: awarenessProtocol.Awareness;

  private readonly client: OnairClient;
  private readonly target: string;
  private readonly events = new Emitter<CrdtRoomEvents>();
  private readonly ownsAwareness: boolean;
  private readonly detachers: Array<() => void> = [];
  private readonly waiters = new Set<SyncWaiter>();
  private currentScope: CrdtRoomScope | undefined;
  private currentStatus: CrdtRoomStatus = 'connecting';
  private isSynced = false;
  /** True from a successful open's reply until the connection drops: frames flow. */
  private isOpen = false;
  /** `collab.open` requests sent and not answered yet. */
  private opensPending = 0;
  /** The error of the latest open, until an open succeeds. */
  private failure: OnairError | undefined;
  private destroying: Promise<void> | undefined;

  /** @internal Use `crdtRoom(client, name, options)`. */
  constructor(client: OnairClient, name: string, options: CrdtRoomOptions = {}) {
    const o = checkObject('crdtRoom options', options);
    this.name = checkRoomName(name);
    const given = o['awareness'] as awarenessProtocol.Awareness | undefined;
    this.doc = (o['doc'] as Y.Doc | undefined) ?? given?.doc ?? new Y.Doc();
    if (!(this.doc instanceof Y.Doc)) {
      throw new OnairError('invalid_argument', 'crdtRoom: doc must be a Y.Doc of the yjs module this SDK imports');
    }
    if (given !== undefined && given.doc !== this.doc) {
      throw new OnairError('invalid_argument', 'crdtRoom: awareness must belong to doc');
    }
    this.client = client;
    this.target = TARGET_PREFIX + this.name;
    // Claims the frame target first: it throws `conflict` while this client has the room open.
    this.detachers.push(client.routeBinary(this.target, (payload) => this.receive(payload)));
    this.ownsAwareness = given === undefined;
    this.awareness = given ?? new awarenessProtocol.Awareness(this.doc);
    this.listen();
    this.sendOpen();
  }

  /** From the `collab.open` reply: `read-write` or `readonly`; `undefined` until then. */
  get scope(): CrdtRoomScope | undefined {
    return this.currentScope;
  }

  get status(): CrdtRoomStatus {
    return this.currentStatus;
  }

  /** Whether the doc has the server's state of the current connection (sync step 2 received). */
  get synced(): boolean {
    return this.isSynced;
  }

  /** Adds a handler; returns a function that removes it. */
  on<K extends keyof CrdtRoomEvents>(event: K, handler: (...args: CrdtRoomEvents[K]) => void): () => void {
    return this.events.on(event, handler);
  }

  once<K extends keyof CrdtRoomEvents>(event: K, handler: (...args: CrdtRoomEvents[K]) => void): () => void {
    return this.events.once(event, handler);
  }

  off<K extends keyof CrdtRoomEvents>(event: K, handler: (...args: CrdtRoomEvents[K]) => void): void {
    this.events.off(event, handler);
  }

  /**
   * Resolves once `synced` is true. Rejects with the open's error (`permission`, `unknown_op` …),
   * with `disconnected` after `destroy()`, or with `timeout` after `timeoutMs`.
   */
  whenSynced(options: WhenSyncedOptions = {}): Promise<void> {
    const timeoutMs = checkObject('whenSynced options', options)['timeoutMs'];
    if (timeoutMs !== undefined && (typeof timeoutMs !== 'number' || !(timeoutMs > 0))) {
      return Promise.reject(new OnairError('invalid_argument', 'whenSynced: timeoutMs must be a positive number'));
    }
    if (this.isSynced) return Promise.resolve();
    if (this.destroying) return Promise.reject(destroyedError(this.name));
    if (this.failure) return Promise.reject(this.failure);
    return new Promise<void>((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const waiter: SyncWaiter = {
        resolve: () => settle(resolve),
        reject: (error) => settle(() => reject(error)),
      };
      const settle = (done: () => void) => {
        clearTimeout(timer);
        this.waiters.delete(waiter);
        done();
      };
      if (typeof timeoutMs === 'number') {
        timer = setTimeout(() => {
          waiter.reject(new OnairError('timeout', `crdt room ${this.name}: not synced within ${timeoutMs} ms (status ${this.currentStatus})`));
        }, timeoutMs);
      }
      this.waiters.add(waiter);
    });
  }

  /**
   * Leaves the room: sends the removal of this client's awareness state and `collab.close`, and
   * detaches from the doc and the client. The doc stays usable; an awareness the room created is
   * destroyed. Idempotent; resolves when the server answered the close (or the connection is gone).
   */
  destroy(): Promise<void> {
    if (this.destroying) return this.destroying;
    awarenessProtocol.removeAwarenessStates(this.awareness, [this.doc.clientID], DESTROY_ORIGIN);
    for (const detach of this.detachers.splice(0)) detach();
    if (this.ownsAwareness) this.awareness.destroy();
    const wasOpen = this.isOpen || this.opensPending > 0;
    this.isOpen = false;
    this.setSynced(false);
    this.setStatus('disconnected');
    this.rejectWaiters(destroyedError(this.name));
    this.events.removeAllListeners();
    this.destroying = wasOpen ? this.sendClose() : Promise.resolve();
    return this.destroying;
  }

  private async sendClose(): Promise<void> {
    try {
      await this.client.request('collab.close', { room: this.name });
    } catch (err) {
      // Gone with the connection: the server forgets the room with it.
      if (!(err instanceof OnairError && err.code === 'disconnected')) throw err;
    }
  }

  private listen(): void {
    const onUpdate = (update: Uint8Array, origin: unknown) => {
      if (origin === this || this.currentScope !== 'read-write') return;
      const encoder = syncMessage();
      syncProtocol.writeUpdate(encoder, update);
      this.send(encoder);
    };
    this.doc.on('update', onUpdate);
    this.detachers.push(() => this.doc.off('update', onUpdate));
    type Changes = { added: number[]; updated: number[]; removed: number[] };
    const onAwareness = ({ added, updated, removed }: Changes, origin: unknown) => {
      if (origin !== this) this.sendAwareness([...added, ...updated, ...removed]);
    };
    this.awareness.on('update', onAwareness);
    this.detachers.push(() => this.awareness.off('update', onAwareness));
    this.detachers.push(this.client.on('disconnected', () => this.connectionLost()));
    this.detachers.push(this.client.onReconnect(() => this.sendOpen()));
  }

  /** `collab.open`; its reply starts the sync before any later frame is handled. */
  private sendOpen(): void {
    this.setStatus('connecting');
    this.opensPending++;
    this.client
      .requestWithResult<OpenResult>('collab.open', { room: this.name }, (result) => this.opened(result))
      .catch((err: unknown) => this.openFailed(err))
      .finally(() => this.opensPending--);
  }

  private opened(result: OpenResult): void {
    if (this.destroying) return;
    const scope = result?.scope;
    if (scope !== 'read-write' && scope !== 'readonly') {
      throw new OnairError('internal', `collab.open answered scope ${JSON.stringify(scope)}`);
    }
    this.currentScope = scope;
    this.failure = undefined;
    this.isOpen = true;
    this.setStatus('connected');
    const encoder = syncMessage();
    syncProtocol.writeSyncStep1(encoder, this.doc);
    this.send(encoder);
    this.renewLocalState();
  }

  /**
   * Sends this client's awareness state with a clock the server accepts. When a connection
   * closes, the server removes its states and raises their clocks by one (y-protocols
   * `removeAwarenessStates`); an update with a clock no higher is ignored, so the state comes back
   * two ticks ahead. The first open needs it too: a state at clock 0 is ignored by a fresh peer.
   */
  private renewLocalState(): void {
    const state = this.awareness.getLocalState();
    if (state === null) return;
    const meta = this.awareness.meta.get(this.doc.clientID);
    if (meta) meta.clock++;
    this.awareness.setLocalState(state); // one more tick; the update handler sends it
  }

  private openFailed(err: unknown): void {
    if (this.destroying) return;
    const error = err instanceof OnairError ? err : new OnairError('internal', `collab.open: ${String(err)}`, { cause: err });
    // A dropped connection is no answer: the reconnect opens the room again.
    if (error.code === 'disconnected') return;
    this.failure = error;
    this.setStatus('disconnected');
    this.rejectWaiters(error);
    this.events.emit('error', error);
  }

  private connectionLost(): void {
    this.isOpen = false;
    this.setSynced(false);
    this.setStatus('disconnected');
    // Others' states are stale now; the server sends the current ones after the next open.
    const others = [...this.awareness.getStates().keys()].filter((id) => id !== this.doc.clientID);
    awarenessProtocol.removeAwarenessStates(this.awareness, others, this);
  }

  /** One y-websocket message from the server. */
  private receive(payload: Uint8Array): void {
    if (!this.isOpen) return;
    try {
      const decoder = decoding.createDecoder(payload);
      switch (decoding.readVarUint(decoder)) {
        case MESSAGE_SYNC:
          this.receiveSync(decoder);
          break;
        case MESSAGE_AWARENESS:
          awarenessProtocol.applyAwarenessUpdate(this.awareness, decoding.readVarUint8Array(decoder), this);
          break;
        case MESSAGE_QUERY_AWARENESS:
          this.sendAwareness([...this.awareness.getStates().keys()]);
          break;
        default:
          break; // auth and types this client does not speak
      }
    } catch (err) {
      this.reportError(`unreadable message from the server: ${String(err)}`, err);
    }
  }

  private receiveSync(decoder: decoding.Decoder): void {
    const onError = (err: Error) => this.reportError(`an update from the server failed to apply: ${String(err)}`, err);
    switch (decoding.readVarUint(decoder)) {
      case syncProtocol.messageYjsSyncStep1: {
        const stateVector = decoding.readVarUint8Array(decoder);
        const encoder = syncMessage();
        if (this.currentScope === 'read-write') {
          syncProtocol.writeSyncStep2(encoder, this.doc, stateVector);
        } else {
          // Read-only: the step 2 the handshake expects, without local changes.
          encoding.writeVarUint(encoder, syncProtocol.messageYjsSyncStep2);
          encoding.writeVarUint8Array(encoder, EMPTY_UPDATE);
        }
        this.send(encoder);
        break;
      }
      case syncProtocol.messageYjsSyncStep2:
        syncProtocol.readSyncStep2(decoder, this.doc, this, onError);
        this.setSynced(true);
        break;
      case syncProtocol.messageYjsUpdate:
        syncProtocol.readUpdate(decoder, this.doc, this, onError);
        break;
      default:
        throw new Error('unknown sync message type');
    }
  }

  private sendAwareness(clients: number[]): void {
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, MESSAGE_AWARENESS);
    encoding.writeVarUint8Array(encoder, awarenessProtocol.encodeAwarenessUpdate(this.awareness, clients));
    this.send(encoder);
  }

  /** Sends one message while the room is open; dropped otherwise (the next open re-syncs). */
  private send(encoder: encoding.Encoder): void {
    if (!this.isOpen) return;
    try {
      this.client.sendBinary(encodeBinaryFrame(this.target, encoding.toUint8Array(encoder)));
    } catch (err) {
      this.reportError(`could not send: ${String(err)}`, err);
    }
  }

  private setStatus(status: CrdtRoomStatus): void {
    if (this.currentStatus === status) return;
    this.currentStatus = status;
    this.events.emit('status', { status });
  }

  private setSynced(synced: boolean): void {
    if (this.isSynced === synced) return;
    this.isSynced = synced;
    if (synced) for (const waiter of [...this.waiters]) waiter.resolve();
    this.events.emit('synced', synced);
  }

  private rejectWaiters(error: OnairError): void {
    for (const waiter of [...this.waiters]) waiter.reject(error);
  }

  private reportError(message: string, cause: unknown): void {
    const error = cause instanceof OnairError ? cause : new OnairError('internal', `crdt room ${this.name}: ${message}`, { cause });
    this.events.emit('error', error);
  }
}

/** An encoder holding the message type of a sync message. */
function syncMessage(): encoding.Encoder {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, MESSAGE_SYNC);
  return encoder;
}

function checkRoomName(name: unknown): string {
  const room = checkName('room', name);
  if (room.length > MAX_ROOM_CHARS) {
    throw new OnairError('invalid_argument', `crdt room names are at most ${MAX_ROOM_CHARS} characters (frames name the target ${TARGET_PREFIX}<room>)`);
  }
  return room;
}

function destroyedError(name: string): OnairError {
  return new OnairError('disconnected', `crdt room ${name} was destroyed`);
}
