// A cheap Hocuspocus client for one document on a LeanSocket: it authenticates, syncs and types
// into a real Y.Doc (one character into a Y.Text per edit, sent as the update Yjs produces), and
// counts what the server sends back without applying it — unless made with {apply: true} (the
// convergence check), then Step2 and updates are applied to its Y.Doc. With {awareness: true} each
// edit also sends the client's cursor as an awareness update, as editor bindings do per keystroke.
import * as Y from 'yjs';
import { Auth, Msg, Sync, encodeAuth, encodeAwareness, encodeSyncStep1, encodeSyncStep2, encodeUpdate, updateClientId } from './wire.mjs';

const remote = Symbol('remote');

export class LeanDoc {
  sent = 0;       // updates sent
  acks = 0;       // SyncStatus frames with saved = true (Hocuspocus acks the Step2 answer as well)
  syncAcks = 0;   // those of them that came while no update had been sent (the Step2's)
  refused = 0;    // SyncStatus frames with saved = false
  delivered = 0;  // updates from other clients received
  echoes = 0;     // own updates received back
  awarenessIn = 0; // awareness updates received
  #waiters = { auth: null, synced: null, acks: null };
  #acksWanted = 0;

  constructor(socket, name, { apply = false, awareness = false } = {}) {
    this.socket = socket;
    this.name = name;
    this.apply = apply;
    this.awareness = awareness;
    this.clock = 0;
    this.doc = new Y.Doc();
    this.text = this.doc.getText('text');
    this.doc.on('update', (update, origin) => {
      if (origin === remote) return;
      this.sent++;
      this.socket.send(encodeUpdate(name, update));
    });
    socket.attach(this);
  }

  /** Auth with `token` (→ Authenticated), then SyncStep1 (→ the server's Step2); rejects on denial or timeout. */
  async join(token, timeoutMs = 10000) {
    const scope = await this.#expect('auth', () => this.socket.send(encodeAuth(this.name, token)), timeoutMs);
    await this.#expect('synced', () => this.socket.send(encodeSyncStep1(this.name, Y.encodeStateVector(this.doc))), timeoutMs);
    return scope;
  }

  /** Acks of updates: all acks less those of the sync (settled once the doc was quiet a moment). */
  get acked() { return this.acks - this.syncAcks; }

  /** Resolves once `n` SyncStatus acks (sync's included) have come; rejects after timeoutMs. */
  waitAcks(n, timeoutMs = 10000) {
    this.#acksWanted = n;
    return this.acks >= n ? Promise.resolve() : this.#expect('acks', () => {}, timeoutMs);
  }

  /** Types one character at the end of this client's text (its update is sent by the handler). */
  edit() {
    this.text.insert(this.text.length, 'x');
    if (this.awareness) {
      const state = { user: this.doc.clientID, cursor: this.text.length };
      this.socket.send(encodeAwareness(this.name, this.doc.clientID, ++this.clock, state));
    }
  }

  receive(f) {
    if (f.type === Msg.Auth) {
      if (f.sub === Auth.Authenticated) this.#settle('auth', null, f.scope);
      else if (f.sub === Auth.PermissionDenied) this.#settle('auth', new Error(`${this.name}: permission denied (${f.reason})`));
    } else if (f.type === Msg.Sync || f.type === Msg.SyncReply) {
      this.#sync(f);
    } else if (f.type === Msg.Awareness) {
      this.awarenessIn++;
    } else if (f.type === Msg.SyncStatus) {
      if (!f.saved) return void this.refused++;
      this.acks++;
      if (this.sent === 0) this.syncAcks++;
      if (this.acks >= this.#acksWanted) this.#settle('acks', null);
    }
  }

  #sync(f) {
    if (f.sub === Sync.Step1) {
      this.socket.send(encodeSyncStep2(this.name, Y.encodeStateAsUpdate(this.doc, f.payload)));
    } else if (f.sub === Sync.Step2) {
      if (this.apply) Y.applyUpdate(this.doc, f.payload, remote);
      this.#settle('synced', null);
    } else if (f.sub === Sync.Update) {
      if (updateClientId(f.payload) === this.doc.clientID) this.echoes++;
      else this.delivered++;
      if (this.apply) Y.applyUpdate(this.doc, f.payload, remote);
    }
  }

  #expect(what, send, timeoutMs) {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => this.#settle(what, new Error(`${this.name}: no ${what} in ${timeoutMs} ms`)), timeoutMs);
      this.#waiters[what] = { resolve, reject, timer };
      send();
    });
  }

  #settle(what, error, value) {
    const w = this.#waiters[what];
    if (!w) return;
    this.#waiters[what] = null;
    clearTimeout(w.timer);
    if (error) w.reject(error);
    else w.resolve(value);
  }
}
