// Stream rooms (the control plane, no media) through the SDK against the real binary, on two
// shards: the server SDK over /v1/streams/rooms, the client SDK over streams.* ops and events.
import { test as baseTest, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { WebSocket } from 'ws';
import { collect, until } from '../support/streams.mjs';
import { startOnair, onairBinary } from '../support/onair.mjs';
import { connect, OnairError } from '../../sdk/js/dist/client/index.js';
import { OnairServer } from '../../sdk/js/dist/server/index.js';

const test = (name, fn) => baseTest(name, { timeout: 15_000 }, fn);
const MAX_USERS = 5;
const MAX_META = 64;

let srv;
let api;
const clients = [];
let contexts = 0;

before(async () => {
  assert.ok(existsSync(onairBinary), `${onairBinary} is missing: build the server first`);
  srv = await startOnair({ args: ['--streams-max-users', String(MAX_USERS), '--streams-max-meta-bytes', String(MAX_META)] });
  api = new OnairServer({ url: srv.url, apiKey: srv.apiKey, apiSecret: srv.apiSecret });
});

after(async () => {
  for (const c of clients) await c.close();
  if (srv) await srv.stop();
});

const bytes = (text) => new TextEncoder().encode(text);
const text = (b) => new TextDecoder().decode(b);
const newContext = () => `ctx-${process.pid}-${++contexts}`;

async function user(userId, grants = ['stream:ctx-*:join,manage']) {
  const { token } = await api.createToken({ userId, ttl: 600, grants });
  const client = await connect({ url: srv.url, WebSocket, token, reconnect: false });
  clients.push(client);
  return client;
}

async function rejects(promise, code) {
  await assert.rejects(promise, (e) => e instanceof OnairError && e.code === code);
}

test('create, get and list through the client SDK; metas come back as bytes', async () => {
  const ctx = newContext();
  const alice = await user('alice');
  const id = await alice.streams.createStreamRoom(ctx, ['bob'], [{ userId: 'alice' }], bytes('public'), bytes('private'), { item: { get: 'all' } });
  assert.match(id, /^sr_/);
  const room = await alice.streams.getStreamRoom(id);
  assert.equal(room.streamRoomId, id);
  assert.equal(room.contextId, ctx);
  assert.deepEqual(room.users, ['bob']);
  assert.deepEqual(room.managers, ['alice']);
  assert.ok(room.publicMeta instanceof Uint8Array);
  assert.equal(text(room.publicMeta), 'public');
  assert.equal(text(room.privateMeta), 'private');
  assert.deepEqual(room.policy, { item: { get: 'all' } });
  assert.equal(room.version, 1);
  assert.equal(room.creator, 'alice');
  const list = await alice.streams.listStreamRooms(ctx, { skip: 0, limit: 10, sortOrder: 'asc' });
  assert.equal(list.totalAvailable, 1);
  assert.equal(list.readItems[0].streamRoomId, id);
});

test('list pages in creation order, newest first by default; clients see only their rooms', async () => {
  const ctx = newContext();
  const ids = [];
  for (let i = 0; i < 5; i++) ids.push(await api.streams.createStreamRoom(ctx, ['bob'], ['alice'], bytes(''), bytes('')));
  const other = await api.streams.createStreamRoom(ctx, ['carol'], ['carol'], bytes(''), bytes(''));
  const bob = await user('bob');
  const first = await bob.streams.listStreamRooms(ctx, { limit: 2 });
  assert.equal(first.totalAvailable, 5);
  assert.deepEqual(first.readItems.map((r) => r.streamRoomId), [ids[4], ids[3]]);
  const asc = await bob.streams.listStreamRooms(ctx, { skip: 3, limit: 10, sortOrder: 'asc' });
  assert.deepEqual(asc.readItems.map((r) => r.streamRoomId), [ids[3], ids[4]]);
  const all = await api.streams.listStreamRooms(ctx, { skip: 5, limit: 10, sortOrder: 'asc' });
  assert.equal(all.totalAvailable, 6);
  assert.deepEqual(all.readItems.map((r) => r.streamRoomId), [other]);
  await rejects(bob.streams.listStreamRooms(ctx, { limit: 1001 }), 'invalid_argument');
});

test('update is a full overwrite with a version check; force overrides it', async () => {
  const ctx = newContext();
  const alice = await user('alice');
  const id = await alice.streams.createStreamRoom(ctx, ['bob'], ['alice'], bytes('p1'), bytes('q1'));
  await alice.streams.updateStreamRoom(id, ['bob', 'carol'], ['alice'], bytes('p2'), bytes('q2'), 1, false, false, { v: 2 });
  let room = await alice.streams.getStreamRoom(id);
  assert.equal(room.version, 2);
  assert.deepEqual(room.users, ['bob', 'carol']);
  assert.equal(text(room.publicMeta), 'p2');
  assert.deepEqual(room.policy, { v: 2 });
  await rejects(alice.streams.updateStreamRoom(id, ['bob'], ['alice'], bytes('p3'), bytes('q3'), 1, false, false), 'conflict');
  await alice.streams.updateStreamRoom(id, ['bob'], ['alice'], bytes('p3'), bytes('q3'), 1, true, true);
  room = await alice.streams.getStreamRoom(id);
  assert.equal(room.version, 3);
  assert.equal(room.keyGeneration, 2);
  assert.deepEqual(room.users, ['bob']);
  assert.deepEqual(room.policy, {});
  // The server API updates any room, with the same version rules.
  await rejects(api.streams.updateStreamRoom(id, ['bob'], ['alice'], bytes(''), bytes(''), 2, false, false), 'conflict');
  await api.streams.updateStreamRoom(id, ['bob'], ['alice'], bytes(''), bytes(''), 3, false, false);
  assert.equal((await api.streams.getStreamRoom(id)).lastModifier, null);
});

test('only managers update or delete; only users and managers read and join', async () => {
  const ctx = newContext();
  const alice = await user('alice');
  const bob = await user('bob');
  const mallory = await user('mallory');
  const id = await alice.streams.createStreamRoom(ctx, ['bob'], ['alice'], bytes(''), bytes(''));
  await rejects(bob.streams.deleteStreamRoom(id), 'permission');
  await rejects(bob.streams.updateStreamRoom(id, ['bob'], ['bob'], bytes(''), bytes(''), 1, true, false), 'permission');
  await rejects(mallory.streams.getStreamRoom(id), 'permission');
  await rejects(mallory.streams.joinStreamRoom(id), 'permission');
  const readOnly = await user('bob', ['stream:ctx-*:join']);
  await rejects(readOnly.streams.createStreamRoom(ctx, ['bob'], ['bob'], bytes(''), bytes('')), 'permission');
  const elsewhere = await user('bob', ['stream:nowhere:join,manage']);
  await rejects(elsewhere.streams.getStreamRoom(id), 'permission');
  assert.deepEqual((await bob.streams.joinStreamRoom(id)).members, ['bob']);
  await alice.streams.deleteStreamRoom(id);
  await rejects(alice.streams.getStreamRoom(id), 'not_found');
  await rejects(api.streams.getStreamRoom(id), 'not_found');
  await rejects(api.streams.deleteStreamRoom(id), 'not_found');
});

test('events reach context subscribers and joined members, once each', async () => {
  const ctx = newContext();
  const alice = await user('alice');
  const watcher = await user('watcher');
  const bob = await user('bob');
  await watcher.streams.subscribeContext(ctx);
  await alice.streams.subscribeContext(ctx);
  const created = collect(watcher, 'streamRoomCreated');
  const updated = collect(watcher, 'streamRoomUpdated');
  const deleted = collect(watcher, 'streamRoomDeleted');
  const id = await alice.streams.createStreamRoom(ctx, ['bob'], ['alice'], bytes('m'), bytes(''));
  await until(() => created.length === 1, 'streamRoomCreated at the subscriber');
  assert.equal(created[0].streamRoomId, id);
  assert.equal(text(created[0].publicMeta), 'm');

  // Alice is joined and subscribed: she hears room events once; Bob only joined.
  const joinedAtAlice = collect(alice, 'streamMemberJoined');
  const leftAtAlice = collect(alice, 'streamMemberLeft');
  const updatedAtAlice = collect(alice, 'streamRoomUpdated');
  const updatedAtBob = collect(bob, 'streamRoomUpdated');
  await alice.streams.joinStreamRoom(id);
  await bob.streams.joinStreamRoom(id);
  await until(() => joinedAtAlice.some((e) => e.userId === 'bob'), 'streamMemberJoined at alice');
  await alice.streams.updateStreamRoom(id, ['bob'], ['alice'], bytes('m2'), bytes(''), 1, false, false);
  await until(() => updated.length === 1 && updatedAtAlice.length === 1 && updatedAtBob.length === 1, 'streamRoomUpdated everywhere');
  assert.equal(updatedAtBob[0].version, 2);
  assert.equal(text(updatedAtBob[0].publicMeta), 'm2');

  await bob.streams.leaveStreamRoom(id);
  await until(() => leftAtAlice.some((e) => e.userId === 'bob'), 'streamMemberLeft at alice');
  await alice.streams.updateStreamRoom(id, ['bob'], ['alice'], bytes('m3'), bytes(''), 2, false, false);
  await until(() => updated.length === 2 && updatedAtAlice.length === 2, 'the second update');

  await watcher.streams.unsubscribeContext(ctx);
  const deletedAtAlice = collect(alice, 'streamRoomDeleted');
  await alice.streams.deleteStreamRoom(id);
  await until(() => deletedAtAlice.length === 1 || deleted.length > 0, 'streamRoomDeleted');
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(deleted.length, 0, 'unsubscribed: no more events');
  assert.equal(updatedAtBob.length, 1, 'left: no more events');
  assert.equal(updatedAtAlice.length, 2, 'joined and subscribed: once each');
});

test('a connection that closes leaves its rooms', async () => {
  const ctx = newContext();
  const alice = await user('alice');
  const bob = await user('bob');
  const id = await alice.streams.createStreamRoom(ctx, ['bob'], ['alice'], bytes(''), bytes(''));
  const left = collect(alice, 'streamMemberLeft');
  await alice.streams.joinStreamRoom(id);
  await bob.streams.joinStreamRoom(id);
  await bob.close();
  await until(() => left.some((e) => e.userId === 'bob' && e.streamRoomId === id), 'streamMemberLeft after close');
});

test('limits: users and managers together, metas, policy, bad base64', async () => {
  const ctx = newContext();
  const alice = await user('alice');
  await rejects(alice.streams.createStreamRoom(ctx, ['a', 'b', 'c'], ['d', 'e', 'f'], bytes(''), bytes('')), 'invalid_argument');
  await alice.streams.createStreamRoom(ctx, ['a', 'b'], ['c', 'd', 'alice'], new Uint8Array(MAX_META), bytes(''));
  await rejects(alice.streams.createStreamRoom(ctx, ['a'], ['alice'], bytes(''), new Uint8Array(MAX_META + 1)), 'payload_too_large');
  await rejects(alice.streams.createStreamRoom(ctx, ['a'], ['alice'], bytes(''), bytes(''), { big: 'x'.repeat(MAX_META) }), 'payload_too_large');
  const raw = await alice.request('streams.createStreamRoom', { contextId: ctx, users: [], managers: ['alice'], publicMeta: 'not base64' }).catch((e) => e);
  assert.equal(raw.code, 'invalid_argument');
  const noUsers = await alice.request('streams.createStreamRoom', { contextId: ctx, managers: ['alice'] }).catch((e) => e);
  assert.equal(noUsers.code, 'invalid_argument');
  const res = await fetch(`${srv.url}/v1/streams/rooms`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
  assert.equal(res.status, 401);
});

test('stream rooms and their context index survive a restart', async () => {
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const dataDir = mkdtempSync(join(tmpdir(), 'onair-streams-'));
  const keys = { apiKey: srv.apiKey, apiSecret: srv.apiSecret };
  try {
    let server = await startOnair({ dataDir, ...keys });
    let admin = new OnairServer({ url: server.url, ...keys });
    const id = await admin.streams.createStreamRoom('ctx-durable', ['bob'], ['alice'], bytes('kept'), bytes(''));
    await admin.streams.updateStreamRoom(id, ['bob'], ['alice'], bytes('kept'), bytes(''), 1, false, false);
    await server.stop();
    server = await startOnair({ dataDir, ...keys });
    admin = new OnairServer({ url: server.url, ...keys });
    try {
      const room = await admin.streams.getStreamRoom(id);
      assert.equal(room.version, 2);
      assert.equal(text(room.publicMeta), 'kept');
      assert.deepEqual((await admin.streams.listStreamRooms('ctx-durable')).readItems.map((r) => r.streamRoomId), [id]);
    } finally {
      await server.stop();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
