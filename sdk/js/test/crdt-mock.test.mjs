// crdtRoom (onair/crdt) against a scripted server that speaks the wire spec of docs/protocol.md,
// "Yjs over the onair connection", the way y-websocket's server does (a Y.Doc and an Awareness per
// room): the shared scenarios, plus what the client puts on the wire.
import { test as baseTest, afterEach, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { WebSocketServer } from 'ws';
import * as Y from 'yjs';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as syncProtocol from 'y-protocols/sync';
import * as encoding from 'lib0/encoding';
import * as decoding from 'lib0/decoding';
import { defineCrdtScenarios, destroyRooms, dropSocket, gatedClient, room as crdtRoom, syncedRoom, uniqueRoom, until } from './crdt-scenarios.mjs';

const test = (name, fn) => baseTest(name, { timeout: 15_000 }, fn);
const cleanups = [];
afterEach(async () => {
  await destroyRooms();
  while (cleanups.length) await cleanups.pop()();
});

const iso = (ms) => new Date(Date.now() + ms).toISOString();

/** [1][0][target length u16 BE][target][payload] */
function frame(target, payload) {
  const t = Buffer.from(target);
  return Buffer.concat([Buffer.from([1, 0, t.length >> 8, t.length & 0xff]), t, Buffer.from(payload)]);
}

function parseFrame(bytes) {
  assert.equal(bytes[0], 1, 'version');
  assert.equal(bytes[1], 0, 'flags');
  const length = (bytes[2] << 8) | bytes[3];
  return { target: bytes.subarray(4, 4 + length).toString(), payload: new Uint8Array(bytes.subarray(4 + length)) };
}

const message = (write) => {
  const encoder = encoding.createEncoder();
  write(encoder);
  return encoding.toUint8Array(encoder);
};

/**
 * A scripted onair. The token is `<userId>:<scope>` (scope 'none': no collab grant). Every
 * frame a client sends is logged as {ws, op} or {ws, target, type, sync?, update?}. Without
 * `ops` it knows no collab op (a server from before them).
 */
async function mockOnair({ ops = true, shared = false } = {}) {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await once(wss, 'listening');
  const rooms = new Map();
  const log = [];

  const send = (ws, name, payload) => ws.send(frame(`yjs:${name}`, payload));
  function room(name) {
    let r = rooms.get(name);
    if (r) return r;
    const doc = new Y.Doc();
    const awareness = new awarenessProtocol.Awareness(doc);
    awareness.setLocalState(null);
    r = { doc, awareness, conns: new Map() };
    doc.on('update', (update, origin) => {
      const m = message((e) => { encoding.writeVarUint(e, 0); syncProtocol.writeUpdate(e, update); });
      for (const ws of r.conns.keys()) if (ws !== origin) send(ws, name, m);
    });
    awareness.on('update', ({ added, updated, removed }, origin) => {
      const conn = r.conns.get(origin);
      if (conn) {
        for (const id of added) conn.clients.add(id);
        for (const id of removed) conn.clients.delete(id);
      }
      const m = message((e) => {
        encoding.writeVarUint(e, 1);
        encoding.writeVarUint8Array(e, awarenessProtocol.encodeAwarenessUpdate(awareness, [...added, ...updated, ...removed]));
      });
      for (const ws of r.conns.keys()) if (ws !== origin) send(ws, name, m);
    });
    rooms.set(name, r);
    return r;
  }
  function leave(ws, name) {
    const r = rooms.get(name);
    const conn = r?.conns.get(ws);
    if (!conn) return;
    awarenessProtocol.removeAwarenessStates(r.awareness, [...conn.clients], null);
    r.conns.delete(ws);
  }
  function open(ws, name, scope) {
    const r = room(name);
    r.conns.set(ws, { scope, clients: new Set() });
    send(ws, name, message((e) => { encoding.writeVarUint(e, 0); syncProtocol.writeSyncStep1(e, r.doc); }));
    const states = [...r.awareness.getStates().keys()];
    if (states.length > 0) {
      send(ws, name, message((e) => {
        encoding.writeVarUint(e, 1);
        encoding.writeVarUint8Array(e, awarenessProtocol.encodeAwarenessUpdate(r.awareness, states));
      }));
    }
  }
  function onBinary(ws, bytes) {
    const { target, payload } = parseFrame(bytes);
    const name = target.slice('yjs:'.length);
    const r = rooms.get(name);
    const conn = r?.conns.get(ws);
    const decoder = decoding.createDecoder(payload);
    const entry = { ws, target, type: decoding.readVarUint(decoder) };
    log.push(entry);
    if (!conn) return;
    if (entry.type === 0) {
      entry.sync = decoding.readVarUint(decoder);
      const data = decoding.readVarUint8Array(decoder);
      if (entry.sync === 0) {
        send(ws, name, message((e) => { encoding.writeVarUint(e, 0); syncProtocol.writeSyncStep2(e, r.doc, data); }));
      } else {
        entry.update = data;
        if (conn.scope === 'read-write') Y.applyUpdate(r.doc, data, ws);
      }
    } else if (entry.type === 1) {
      awarenessProtocol.applyAwarenessUpdate(r.awareness, decoding.readVarUint8Array(decoder), ws);
    }
  }

  wss.on('connection', (ws) => {
    let scope = 'none';
    ws.on('message', (raw, isBinary) => {
      if (isBinary) return onBinary(ws, Buffer.from(raw));
      const msg = JSON.parse(raw.toString());
      log.push(msg.op === 'connect' ? { ws, op: msg.op, userId: msg.args.token.split(':')[0] } : { ws, op: msg.op });
      const reply = (result) => ws.send(JSON.stringify({ id: msg.id, result }));
      const fail = (code) => ws.send(JSON.stringify({ id: msg.id, error: { code, message: `${msg.op}: ${code}` } }));
      if (msg.op === 'connect') {
        const [userId, s] = msg.args.token.split(':');
        scope = s;
        reply({ sessionId: `s_${userId}`, userId, expiresAt: iso(3600_000), serverTime: iso(0) });
      } else if (msg.op === 'sys.ping') {
        reply({});
      } else if (ops && msg.op === 'collab.open') {
        if (scope === 'none') return fail('permission');
        reply({ room: msg.args.room, scope });
        open(ws, msg.args.room, scope);
      } else if (ops && msg.op === 'collab.close') {
        leave(ws, msg.args.room);
        reply({});
      } else {
        fail('unknown_op');
      }
    });
    ws.on('close', () => { for (const name of rooms.keys()) leave(ws, name); });
  });
  const mock = {
    url: `http://127.0.0.1:${wss.address().port}`,
    log,
    async close() {
      for (const c of wss.clients) c.terminate();
      await new Promise((r) => wss.close(r));
      for (const r of rooms.values()) r.awareness.destroy();
    },
  };
  if (!shared) cleanups.push(() => mock.close()); // a shared one closes after all tests
  return mock;
}

async function clientOf(mock, userId, { scope = 'read-write', reconnect = false } = {}) {
  const client = await gatedClient(mock.url, `${userId}:${scope}`, reconnect);
  cleanups.push(() => client.close());
  return client;
}

let shared;
before(async () => { shared = await mockOnair({ shared: true }); });
after(async () => { await shared.close(); });

defineCrdtScenarios(test, { open: (userId, options) => clientOf(shared, userId, options) });

/** What the client of `userId` (a unique name) sent over its latest socket, after connect. */
function sentBy(mock, userId) {
  const ws = mock.log.findLast((e) => e.op === 'connect' && e.userId === userId).ws;
  return mock.log.filter((e) => e.ws === ws && e.op !== 'connect').map(({ ws: _, ...rest }) => rest);
}

test('after the open reply the client sends its sync step 1, then its awareness state', async () => {
  const mock = await mockOnair();
  const name = uniqueRoom('wire');
  const room = await syncedRoom(await clientOf(mock, 'w1'), name);
  room.awareness.setLocalStateField('user', 'W');
  await until(() => sentBy(mock, 'w1').length >= 5, 'five messages');
  const target = `yjs:${name}`;
  const [open, step1, awareness, step2, update] = sentBy(mock, 'w1');
  assert.deepEqual(open, { op: 'collab.open' });
  assert.deepEqual(step1, { target, type: 0, sync: 0 });
  assert.deepEqual(awareness, { target, type: 1 });
  assert.deepEqual({ ...step2, update: undefined }, { target, type: 0, sync: 1, update: undefined });
  assert.deepEqual(update, { target, type: 1 });
});

test('a readonly room sends no updates: its step 2 is empty and local edits stay local', async () => {
  const mock = await mockOnair();
  const name = uniqueRoom('ro-wire');
  const client = await clientOf(mock, 'r1', { scope: 'readonly' });
  const room = crdtRoom(client, name);
  room.doc.getMap('m').set('before', 'open'); // in the doc before the handshake
  await room.whenSynced({ timeoutMs: 5000 });
  room.doc.getMap('m').set('after', 'open');
  await client.request('sys.ping', {});
  const syncs = sentBy(mock, 'r1').filter((e) => e.type === 0);
  assert.deepEqual(syncs.map((e) => e.sync), [0, 1], 'step 1 and step 2 only');
  assert.deepEqual([...syncs[1].update], [0, 0], 'an empty update');
  await room.destroy();
});

test('destroy sends the awareness removal, then collab.close; a second destroy sends nothing', async () => {
  const mock = await mockOnair();
  const name = uniqueRoom('destroy');
  const client = await clientOf(mock, 'd1');
  const room = await syncedRoom(client, name);
  const ownId = room.doc.clientID;
  const watcher = await syncedRoom(await clientOf(mock, 'd2'), name);
  await until(() => watcher.awareness.getStates().has(ownId), 'the watcher to see the state');
  const before = sentBy(mock, 'd1').length;
  await room.destroy();
  await room.destroy();
  assert.deepEqual(sentBy(mock, 'd1').slice(before), [{ target: `yjs:${name}`, type: 1 }, { op: 'collab.close' }]);
  await until(() => !watcher.awareness.getStates().has(ownId), 'the removal at the watcher');
  await assert.rejects(room.whenSynced(), { code: 'disconnected' });
});

test('a server without collab.open: whenSynced rejects with unknown_op instead of waiting', async () => {
  const mock = await mockOnair({ ops: false });
  const room = crdtRoom(await clientOf(mock, 'u1'), uniqueRoom('old'));
  await assert.rejects(room.whenSynced(), { code: 'unknown_op' });
});

test('whenSynced rejects with timeout when no sync comes in time', async () => {
  const mock = await mockOnair();
  const client = await clientOf(mock, 't1', { reconnect: { minDelayMs: 20 } });
  const room = await syncedRoom(client, uniqueRoom('slow'));
  client.gate.close();
  dropSocket(client);
  await until(() => !room.synced, 'the drop');
  await assert.rejects(room.whenSynced({ timeoutMs: 50 }), { code: 'timeout' });
  client.gate.open();
  await room.whenSynced({ timeoutMs: 5000 });
});

test('bad arguments: names, options and a doc that is not a Y.Doc', async () => {
  const mock = await mockOnair();
  const client = await clientOf(mock, 'b1');
  assert.throws(() => crdtRoom(client, ''), { code: 'invalid_argument' });
  assert.throws(() => crdtRoom(client, 'x'.repeat(252)), { code: 'invalid_argument' });
  assert.throws(() => crdtRoom(client, 'ok', { doc: {} }), { code: 'invalid_argument' });
  const other = new awarenessProtocol.Awareness(new Y.Doc());
  assert.throws(() => crdtRoom(client, 'ok', { doc: new Y.Doc(), awareness: other }), { code: 'invalid_argument' });
  other.destroy();
  const room = crdtRoom(client, 'x'.repeat(251));
  await assert.rejects(room.whenSynced({ timeoutMs: 0 }), { code: 'invalid_argument' });
  await room.whenSynced({ timeoutMs: 5000 });
  await room.destroy();
});
