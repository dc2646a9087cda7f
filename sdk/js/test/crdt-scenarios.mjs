// The behaviour of `crdtRoom` (onair/crdt) as test cases, run against a real onair
// (crdt-room.test.mjs) and against a scripted server that follows the same wire spec
// (crdt-mock.test.mjs). `harness.open(userId, {scope, reconnect})` connects a client whose token
// grants `collab` with `scope` ('read-write', 'readonly' or 'none'; default read-write), built with
// gatedClient. Every wait is bounded, so a server without the ops fails with the reason instead
// of hanging.
import assert from 'node:assert/strict';
import * as Y from 'yjs';
import { WebSocket } from 'ws';
import { connect } from '../dist/client/index.js';
import { crdtRoom } from '../dist/crdt/index.js';

export const SYNC_TIMEOUT_MS = 5000;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
let counter = 0;
export const uniqueRoom = (prefix) => `${prefix}-${process.pid}-${++counter}`;

export async function until(predicate, what, timeoutMs = SYNC_TIMEOUT_MS) {
  const end = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > end) assert.fail(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(10);
  }
}

/**
 * Connects to `url` with `token`, fetched through a gate so a test can hold a reconnect back
 * (`client.gate.close()` … `client.gate.open()`).
 */
export async function gatedClient(url, token, reconnect = false) {
  let release = null;
  let pending = Promise.resolve();
  const gate = {
    close() { pending = new Promise((r) => { release = r; }); },
    open() { release?.(); release = null; pending = Promise.resolve(); },
  };
  const client = await connect({ url, WebSocket, reconnect, token: async () => { await pending; return token; } });
  client.gate = gate;
  return client;
}

/** Drops the client's socket without a close frame, as a network failure would. */
export function dropSocket(client) {
  // eslint-disable-next-line dot-notation
  const ws = client['ws'];
  assert.ok(ws, 'the client has a socket');
  ws.terminate();
}

/** Every room `room()` made; `destroyRooms()` ends them (an awareness keeps a timer running). */
const made = [];

/** crdtRoom(client, name, options), destroyed by the next `destroyRooms()`. */
export function room(client, name, options) {
  const r = crdtRoom(client, name, options);
  made.push(r);
  return r;
}

export async function destroyRooms() {
  for (const r of made.splice(0)) await r.destroy().catch(() => {});
}

/** Opens `name` on `client` and waits for its first sync (rejects with the open's error). */
export async function syncedRoom(client, name, options) {
  const r = room(client, name, options);
  await r.whenSynced({ timeoutMs: SYNC_TIMEOUT_MS });
  return r;
}

/** Connects `userId` (harness options) and opens `name` there, synced. */
async function join(harness, userId, name, options) {
  const client = await harness.open(userId, options);
  return { client, room: await syncedRoom(client, name) };
}

/** Resolves once every frame `client` sent before was handled by the server. */
const roundTrip = (client) => client.request('sys.ping', {});

const textOf = (room) => room.doc.getText('t').toString();
const mapOf = (room) => room.doc.getMap('m').toJSON();

export function defineCrdtScenarios(test, harness) {
  test('two clients converge on Y.Text and Y.Map edits', async () => {
    const name = uniqueRoom('converge');
    const alice = await syncedRoom(await harness.open('alice'), name);
    const bob = await syncedRoom(await harness.open('bob'), name);
    assert.equal(alice.scope, 'read-write');
    assert.equal(alice.status, 'connected');
    assert.equal(alice.synced, true);
    alice.doc.getText('t').insert(0, 'hello');
    alice.doc.getMap('m').set('by', 'alice');
    await until(() => textOf(bob) === 'hello', 'bob to see alice\'s text');
    bob.doc.getText('t').insert(5, ' world');
    bob.doc.getMap('m').set('count', 2);
    await until(() => textOf(alice) === 'hello world' && mapOf(alice).count === 2, 'alice to see bob\'s edits');
    // Alice's map edit may reach bob in the same server batch as his own edits reach alice.
    await until(() => mapOf(bob).by === 'alice', 'bob to see alice\'s map edit');
    assert.deepEqual(mapOf(bob), { by: 'alice', count: 2 });
    assert.deepEqual(mapOf(alice), mapOf(bob));
  });

  test('a late joiner gets the whole document on its first sync', async () => {
    const name = uniqueRoom('late');
    const { client: aliceClient, room: alice } = await join(harness, 'alice', name);
    alice.doc.getText('t').insert(0, 'written before');
    alice.doc.getArray('a').push([1, 2, 3]);
    await roundTrip(aliceClient);
    const late = await syncedRoom(await harness.open('carol'), name);
    assert.equal(textOf(late), 'written before');
    assert.deepEqual(late.doc.getArray('a').toJSON(), [1, 2, 3]);
  });

  test('a readonly client receives edits, and its own edits reach no one', async () => {
    const name = uniqueRoom('readonly');
    const { client: aliceClient, room: alice } = await join(harness, 'alice', name);
    const { client: readerClient, room: reader } = await join(harness, 'reader', name, { scope: 'readonly' });
    assert.equal(reader.scope, 'readonly');
    reader.doc.getMap('m').set('reader', 'was here');
    await roundTrip(readerClient);
    alice.doc.getMap('m').set('alice', 1);
    await until(() => mapOf(reader).alice === 1, 'the reader to get alice\'s edit');
    await roundTrip(aliceClient);
    assert.deepEqual(mapOf(alice), { alice: 1 });
    const late = await syncedRoom(await harness.open('carol'), name);
    assert.deepEqual(mapOf(late), { alice: 1 }, 'the server kept no edit of the reader');
  });

  test('without a collab grant the open fails with permission', async () => {
    const client = await harness.open('nobody', { scope: 'none' });
    const denied = room(client, uniqueRoom('denied'));
    const errors = [];
    denied.on('error', (e) => errors.push(e.code));
    await assert.rejects(denied.whenSynced({ timeoutMs: SYNC_TIMEOUT_MS }), { code: 'permission' });
    assert.deepEqual(errors, ['permission']);
    assert.equal(denied.status, 'disconnected');
  });

  test('awareness: states reach the other client, and a destroyed room\'s state disappears there', async () => {
    const name = uniqueRoom('awareness');
    const alice = await syncedRoom(await harness.open('alice'), name);
    const { client: bobClient, room: bob } = await join(harness, 'bob', name);
    alice.awareness.setLocalStateField('user', { name: 'Alice' });
    const aliceId = alice.doc.clientID;
    await until(() => bob.awareness.getStates().get(aliceId)?.user?.name === 'Alice', 'bob to see alice\'s awareness');
    bob.awareness.setLocalStateField('cursor', 7);
    await until(() => alice.awareness.getStates().get(bob.doc.clientID)?.cursor === 7, 'alice to see bob\'s cursor');
    await alice.destroy();
    await until(() => !bob.awareness.getStates().has(aliceId), 'alice\'s state to leave bob\'s awareness');
    assert.equal(alice.status, 'disconnected');
    // The doc stays usable and detached: later edits go nowhere.
    alice.doc.getText('t').insert(0, 'after destroy');
    bob.doc.getText('t').insert(0, 'bob');
    await roundTrip(bobClient);
    assert.equal(textOf(alice), 'after destroy');
  });

  test('a dropped connection reconnects, re-opens the room and re-syncs both ways', async () => {
    const name = uniqueRoom('reconnect');
    const { client: aliceClient, room: alice } = await join(harness, 'alice', name);
    const { client: bobClient, room: bob } = await join(harness, 'bob', name, { reconnect: { minDelayMs: 20, maxDelayMs: 100 } });
    bob.awareness.setLocalStateField('user', 'Bob');
    await until(() => alice.awareness.getStates().get(bob.doc.clientID)?.user === 'Bob', 'alice to see bob\'s awareness');
    const statuses = [];
    const syncs = [];
    bob.on('status', ({ status }) => statuses.push(status));
    bob.on('synced', (s) => syncs.push(s));

    bobClient.gate.close(); // hold the reconnect until both edited
    dropSocket(bobClient);
    await until(() => bob.status === 'disconnected', 'bob to notice the drop');
    assert.equal(bob.synced, false);
    bob.doc.getText('t').insert(0, 'offline ');
    alice.doc.getMap('m').set('while', 'bob was away');
    await roundTrip(aliceClient);
    bobClient.gate.open();

    await bob.whenSynced({ timeoutMs: SYNC_TIMEOUT_MS });
    await until(() => mapOf(bob).while === 'bob was away', 'bob to get alice\'s edit after the reconnect');
    await until(() => textOf(alice) === 'offline ', 'alice to get bob\'s offline edit');
    await until(() => alice.awareness.getStates().get(bob.doc.clientID)?.user === 'Bob', 'bob\'s awareness again at alice');
    assert.deepEqual(statuses, ['disconnected', 'connecting', 'connected']);
    assert.deepEqual(syncs, [false, true]);
    assert.equal(bob.scope, 'read-write');
  });

  test('the same room twice on one client is a conflict until the first is destroyed', async () => {
    const client = await harness.open('alice');
    const name = uniqueRoom('twice');
    const first = await syncedRoom(client, name);
    assert.throws(() => room(client, name), { code: 'conflict' });
    await first.destroy();
    const doc = new Y.Doc();
    const second = await syncedRoom(client, name, { doc });
    assert.equal(second.doc, doc);
  });
}
