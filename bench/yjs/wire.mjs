// The Hocuspocus 3.x wire format, as @hocuspocus/server 3.4 and @hocuspocus/provider 3.4 speak it:
// every frame is varString(documentName) varUint(messageType) then the message. Encoders for what
// a client sends, and a decoder that reads only as far as the benchmark needs (no Y.Doc involved).
import * as encoding from 'lib0/encoding';
import * as decoding from 'lib0/decoding';

/** Outer message types (server numbering: 4 SyncReply and 6 BroadcastStateless are server-side). */
export const Msg = { Sync: 0, Awareness: 1, Auth: 2, QueryAwareness: 3, SyncReply: 4, Stateless: 5, Close: 7, SyncStatus: 8 };
/** Sub-types of Sync (y-protocols/sync). */
export const Sync = { Step1: 0, Step2: 1, Update: 2 };
/** Sub-types of Auth (@hocuspocus/common AuthMessageType). */
export const Auth = { Token: 0, PermissionDenied: 1, Authenticated: 2 };

function frame(doc, type, write) {
  const e = encoding.createEncoder();
  encoding.writeVarString(e, doc);
  encoding.writeVarUint(e, type);
  write(e);
  return encoding.toUint8Array(e);
}

export const encodeAuth = (doc, token) => frame(doc, Msg.Auth, (e) => {
  encoding.writeVarUint(e, Auth.Token);
  encoding.writeVarString(e, token);
});

const syncFrame = (sub) => (doc, bytes) => frame(doc, Msg.Sync, (e) => {
  encoding.writeVarUint(e, sub);
  encoding.writeVarUint8Array(e, bytes);
});
/** SyncStep1 carries a state vector, SyncStep2 and Update carry a Yjs update (v1). */
export const encodeSyncStep1 = syncFrame(Sync.Step1);
export const encodeSyncStep2 = syncFrame(Sync.Step2);
export const encodeUpdate = syncFrame(Sync.Update);

/** An awareness update with one client's state (y-protocols/awareness encoding), as a provider sends it. */
export const encodeAwareness = (doc, clientId, clock, state) => frame(doc, Msg.Awareness, (e) => {
  const inner = encoding.createEncoder();
  encoding.writeVarUint(inner, 1);
  encoding.writeVarUint(inner, clientId);
  encoding.writeVarUint(inner, clock);
  encoding.writeVarString(inner, JSON.stringify(state));
  encoding.writeVarUint8Array(e, encoding.toUint8Array(inner));
});

/**
 * Reads a server frame: {doc, type, sub?, payload?, scope?, reason?, saved?}. Sync frames (type 0
 * or 4) give sub and payload (the state vector or update, a view into `data`); Auth gives scope
 * (Authenticated) or reason (PermissionDenied); SyncStatus gives saved. Throws on a short frame.
 */
export function decodeFrame(data) {
  const d = decoding.createDecoder(data);
  const out = { doc: decoding.readVarString(d), type: decoding.readVarUint(d) };
  if (out.type === Msg.Sync || out.type === Msg.SyncReply) {
    out.sub = decoding.readVarUint(d);
    out.payload = decoding.readVarUint8Array(d);
  } else if (out.type === Msg.Auth) {
    out.sub = decoding.readVarUint(d);
    if (out.sub === Auth.Authenticated) out.scope = decoding.readVarString(d);
    else if (out.sub === Auth.PermissionDenied) out.reason = decoding.readVarString(d);
  } else if (out.type === Msg.SyncStatus) {
    out.saved = decoding.readVarUint(d) === 1;
  }
  return out;
}

/**
 * The Yjs client id of an update's first struct group (update v1: varUint(groups), then per
 * group varUint(structs) varUint(client) …), or -1 for an update without structs. An edit made by
 * one Y.Doc carries that doc's client id only, so this tells an echo from another client's edit.
 */
export function updateClientId(update) {
  const d = decoding.createDecoder(update);
  if (decoding.readVarUint(d) === 0) return -1;
  decoding.readVarUint(d);
  return decoding.readVarUint(d);
}
