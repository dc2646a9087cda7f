// Rooms and channels through the SDK against a real `onair serve` (build/onair, or $ONAIR_BIN),
// written to docs/protocol.md and docs/http-api.md ("Rooms and channels").
import { test as baseTest, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { WebSocket } from 'ws';
import { startOnair, onairBinary } from '../../../tests/support/onair.mjs';
import { connect, OnairError } from '../dist/client/index.js';
import { OnairServer } from '../dist/server/index.js';

const test = (name, fn) => baseTest(name, { timeout: 15_000 }, fn);
const FAST = { minDelayMs: 5, maxDelayMs: 50 };
const ALL_GRANTS = [
  'room:*:subscribe,publish,presence,history,metadata,admin',
  'channel:*:subscribe,publish,history',
];

let srv;
let api;
const clients = [];
let roomCounter = 0;
/** A fresh name per test, so tests sharing the server do not see each other. */
const unique = (prefix) => `${prefix}_${process.pid}_${++roomCounter}`;

before(async () => {
  assert.ok(existsSync(onairBinary), `${onairBinary} is missing: build the server first`);
  srv = await startOnair();
  api = new OnairServer({ url: srv.url, apiKey: srv.apiKey, apiSecret: srv.apiSecret });
});

after(async () => {
  if (srv && (srv.proc.exitCode !== null || srv.proc.signalCode !== null)) {
    console.error(`onair exited early (${srv.proc.exitCode ?? srv.proc.signalCode}):\n${srv.output().slice(-4000)}`);
  }
  for (const c of clients) await c.close();
  if (srv) await srv.stop();
});

/**
 * Connects as `userId`. The token comes from a function that waits while `gate.closed`, so a test
 * can hold a reconnect back (`gate.close()` … `gate.open()`).
 */
async function open(userId, { grants = ALL_GRANTS, reconnect = false } = {}) {
  const { token } = await api.createToken({ userId, name: userId.toUpperCase(), ttl: 600, grants });
  const gate = makeGate();
  const client = await connect({
    url: srv.url, WebSocket, reconnect,
    token: async () => { await gate.wait(); return token; },
  });
  client.gate = gate;
  clients.push(client);
  return client;
}

function makeGate() {
  let release = null;
  let pending = Promise.resolve();
  return {
    wait: () => pending,
    close() { pending = new Promise((r) => { release = r; }); },
    open() { release?.(); release = null; pending = Promise.resolve(); },
  };
}

/** Drops the client's socket without a close frame, as a network failure would. */
function dropSocket(client) {
  // eslint-disable-next-line dot-notation
  const ws = client['ws'];
  assert.ok(ws, 'the client has a socket');
  ws.terminate();
}

/** Resolves with the first `event` from `source` that satisfies `predicate`. */
function waitFor(source, event, predicate = () => true, timeoutMs = 5000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { off(); reject(new Error(`no ${event} event in ${timeoutMs} ms`)); }, timeoutMs);
    const off = source.on(event, (data) => {
      if (!predicate(data)) return;
      clearTimeout(timer);
      off();
      resolve(data);
    });
  });
}

function collect(source, event) {
  const seen = [];
  source.on(event, (data) => seen.push(data));
  return seen;
}

async function until(predicate, timeoutMs = 5000) {
  const started = Date.now();
  while (!predicate()) {
    if (Date.now() - started > timeoutMs) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function rejectsWith(promise, code) {
  await assert.rejects(promise, (err) => {
    assert.ok(err instanceof OnairError, `expected OnairError, got ${err}`);
    assert.equal(err.code, code, err.message);
    return true;
  });
}

function assertMember(member, userId) {
  assert.equal(member.userId, userId);
  for (const key of ['name', 'metadata', 'presence', 'connections', 'joinedAt']) {
    assert.ok(key in member, `member has ${key}: ${JSON.stringify(member)}`);
  }
}

/**
 * Runs `fn(ownApi, own)` against an onair process of its own, so that a crash fails this test
 * only, and fails it with the signal and the server's log.
 */
async function withOwnServer(fn, args = []) {
  const own = await startOnair({ args });
  try {
    await fn(new OnairServer({ url: own.url, apiKey: own.apiKey, apiSecret: own.apiSecret }), own);
  } finally {
    const output = own.output();
    await own.stop();
    const signal = own.proc.signalCode;
    assert.ok(signal === null || signal === 'SIGTERM', `onair died with ${signal}:\n${output.slice(-2000)}`);
  }
}

const ids = (members) => members.map((m) => m.userId).sort();

test('two clients join a room and see each other as members, join and leave', async () => {
  const name = unique('project');
  const alice = await open('alice');
  const bob = await open('bob');
  const aliceRoom = alice.room(name);
  const joined = await aliceRoom.join({ metadata: { role: 'editor' }, presence: { status: 'online' } });
  assert.equal(joined.room, name);
  assert.deepEqual(ids(joined.members), ['alice']);
  assert.equal(joined.position.offset, 0);
  assert.deepEqual(joined.metadata, { room: name, metadata: {}, version: 0, updatedAt: null });
  assert.equal(typeof joined.position.epoch, 'string');

  const bobJoined = waitFor(aliceRoom, 'memberJoined', (m) => m.userId === 'bob');
  const bobResult = await bob.room(name).join({ metadata: { role: 'viewer' } });
  assert.deepEqual(ids(bobResult.members), ['alice', 'bob']);
  const alicesView = bobResult.members.find((m) => m.userId === 'alice');
  assertMember(alicesView, 'alice');
  assert.deepEqual(alicesView.metadata, { role: 'editor' });
  assert.deepEqual(alicesView.presence, { status: 'online' });
  assert.equal(alicesView.connections, 1);
  assert.equal(alicesView.name, 'ALICE');
  const bobMember = await bobJoined;
  assertMember(bobMember, 'bob');
  assert.deepEqual(bobMember.metadata, { role: 'viewer' });

  const { members } = await aliceRoom.members();
  assert.deepEqual(ids(members), ['alice', 'bob']);
  const fromServer = await api.room(name).members();
  assert.deepEqual(ids(fromServer.members), ['alice', 'bob']);

  const bobLeft = waitFor(aliceRoom, 'memberLeft', (m) => m.userId === 'bob');
  await bob.room(name).leave();
  assert.deepEqual(await bobLeft, { userId: 'bob' });
  assert.deepEqual(ids((await aliceRoom.members()).members), ['alice']);
});

test('a user with two joined connections is one member; it leaves when the last one closes', async () => {
  const name = unique('tabs');
  const alice = await open('alice');
  const bob1 = await open('bob');
  const bob2 = await open('bob');
  await alice.room(name).join();
  const left = collect(alice.room(name), 'memberLeft');
  await bob1.room(name).join();
  await bob2.room(name).join();
  const bob = (await alice.room(name).members()).members.find((m) => m.userId === 'bob');
  assert.equal(bob.connections, 2);
  assert.deepEqual(ids((await alice.room(name).members()).members), ['alice', 'bob']);
  await bob1.close();
  await sleep(100);
  assert.deepEqual(left, [], 'still one connection left');
  assert.equal((await alice.room(name).members()).members.find((m) => m.userId === 'bob')?.connections, 1);
  const gone = waitFor(alice.room(name), 'memberLeft', (m) => m.userId === 'bob');
  await bob2.close();
  await gone;
  assert.deepEqual(ids((await alice.room(name).members()).members), ['alice']);
});

test('published and broadcast messages cross between members', async () => {
  const name = unique('chat');
  const alice = await open('alice');
  const bob = await open('bob');
  await alice.room(name).join();
  await bob.room(name).join();
  const stored = waitFor(bob.room(name), 'message', (m) => m.type === 'task.created');
  const result = await alice.room(name).publish({ type: 'task.created', data: { taskId: 'task_123' } });
  assert.equal(result.offset, 1);
  assert.equal(result.duplicate, false);
  assert.equal(typeof result.epoch, 'string');
  assert.equal(typeof result.timestamp, 'number');
  const message = await stored;
  assert.deepEqual(message, {
    type: 'task.created', data: { taskId: 'task_123' }, publisher: 'alice',
    timestamp: result.timestamp, offset: 1, epoch: result.epoch,
  });
  assert.deepEqual(bob.room(name).position, { offset: 1, epoch: result.epoch });

  const live = waitFor(alice.room(name), 'message', (m) => m.type === 'cursor');
  await bob.room(name).broadcast({ type: 'cursor', data: { x: 3 } });
  const cursor = await live;
  assert.equal(cursor.publisher, 'bob');
  assert.deepEqual(cursor.data, { x: 3 });
  assert.equal(cursor.offset, undefined, 'broadcasts are not stored');
  const page = await alice.room(name).history();
  assert.deepEqual(page.messages.map((m) => m.type), ['task.created']);
});

test('send reaches the one member it names as a direct event, and nobody else', async () => {
  const name = unique('mesh');
  const alice = await open('alice');
  const bob = await open('bob');
  const carol = await open('carol');
  for (const c of [alice, bob, carol]) await c.room(name).join();
  const carolGot = [];
  carol.room(name).on('direct', (m) => carolGot.push(m));
  const toBob = waitFor(bob.room(name), 'direct', (m) => m.type === 'offer');
  await alice.room(name).send({ to: 'bob', type: 'offer', data: { sdp: 'v=0' } });
  const got = await toBob;
  assert.equal(got.from, 'alice');
  assert.deepEqual(got.data, { sdp: 'v=0' });
  assert.equal(typeof got.fromSession, 'string');
  assert.equal(typeof got.timestamp, 'number');
  const toAlice = waitFor(alice.room(name), 'direct', (m) => m.type === 'answer');
  await bob.room(name).send({ to: got.from, type: 'answer', data: { sdp: 'v=1' } });
  assert.equal((await toAlice).from, 'bob');
  await assert.rejects(alice.room(name).send({ to: 'nobody', type: 'offer' }), (e) => e instanceof OnairError && e.code === 'not_found');
  await assert.rejects(alice.room(name).send({ type: 'offer' }), (e) => e instanceof OnairError && e.code === 'invalid_argument');
  await new Promise((r) => setTimeout(r, 100));
  assert.deepEqual(carolGot, []);
  assert.deepEqual((await alice.room(name).history()).messages, []);
});

test('history pages backward and forward with a cursor', async () => {
  const name = unique('hist');
  for (let n = 1; n <= 5; n++) await api.room(name).publish({ type: 'n', data: { n } });
  const alice = await open('alice');
  const room = alice.room(name);
  const p1 = await room.history({ limit: 2 });
  assert.deepEqual(p1.messages.map((m) => m.offset), [5, 4]);
  assert.deepEqual(p1.messages.map((m) => m.data.n), [5, 4]);
  assert.equal(p1.messages[0].publisher, null);
  assert.equal(p1.position.offset, 5);
  assert.equal(typeof p1.cursor, 'string');
  const p2 = await room.history({ limit: 2, cursor: p1.cursor });
  assert.deepEqual(p2.messages.map((m) => m.offset), [3, 2]);
  const p3 = await room.history({ limit: 2, cursor: p2.cursor });
  assert.deepEqual(p3.messages.map((m) => m.offset), [1]);
  assert.equal(p3.cursor, null);

  const f1 = await room.history({ limit: 3, direction: 'forward' });
  assert.deepEqual(f1.messages.map((m) => m.offset), [1, 2, 3]);
  const f2 = await room.history({ limit: 3, direction: 'forward', cursor: f1.cursor });
  assert.deepEqual(f2.messages.map((m) => m.offset), [4, 5]);
  assert.equal(f2.cursor, null);

  const all = await room.history();
  assert.equal(all.messages.length, 5, 'default limit 50 covers all');
  await rejectsWith(room.history({ limit: 0 }), 'invalid_argument');
  await rejectsWith(room.history({ limit: 1001 }), 'invalid_argument');
  await rejectsWith(room.history({ direction: 'sideways' }), 'invalid_argument');
});

test('a publish retried with the same idempotency key is stored once', async () => {
  const name = unique('idem');
  const alice = await open('alice');
  const room = alice.room(name);
  const first = await room.publish({ type: 'comment.created', data: { body: 'Looks good.' }, idempotencyKey: 'client_event_123' });
  const again = await room.publish({ type: 'comment.created', data: { body: 'Looks good.' }, idempotencyKey: 'client_event_123' });
  assert.equal(first.duplicate, false);
  assert.equal(again.duplicate, true);
  assert.equal(again.offset, first.offset);
  assert.equal(again.epoch, first.epoch);
  const other = await room.publish({ type: 'comment.created', data: { body: 'Another' } });
  assert.equal(other.offset, first.offset + 1, 'generated keys differ per publish');
  const viaApi1 = await api.room(name).publish({ type: 'job', idempotencyKey: 'job_1' });
  const viaApi2 = await api.room(name).publish({ type: 'job', idempotencyKey: 'job_1' });
  assert.equal(viaApi2.offset, viaApi1.offset);
  assert.equal(viaApi2.duplicate, true);
  const page = await room.history();
  assert.equal(page.messages.length, 3);
  const ch = alice.channel(unique('idemch'));
  const c1 = await ch.publish({ type: 'x', idempotencyKey: 'k' });
  const c2 = await ch.publish({ type: 'x', idempotencyKey: 'k' });
  assert.equal(c2.offset, c1.offset);
  assert.equal(c2.duplicate, true);
});

test('metadata: versions, conflicts and metadata events', async () => {
  const name = unique('meta');
  const alice = await open('alice');
  const bob = await open('bob');
  const room = alice.room(name);
  const empty = await room.metadata();
  assert.deepEqual(empty, { room: name, metadata: {}, version: 0, updatedAt: null });
  await bob.room(name).join();
  const event = waitFor(bob.room(name), 'metadata');
  const v1 = await room.metadata({ metadata: { title: 'Launch plan', mode: 'planning', locked: false } });
  assert.equal(v1.room, name);
  assert.equal(v1.version, 1);
  assert.deepEqual(v1.metadata, { title: 'Launch plan', mode: 'planning', locked: false });
  assert.notEqual(v1.updatedAt, null);
  const seen = await event;
  assert.deepEqual(seen.metadata, v1.metadata);
  assert.equal(seen.version, 1);
  const v2 = await room.metadata({ metadata: { title: 'Launch plan' }, version: 1 });
  assert.equal(v2.version, 2);
  assert.deepEqual(v2.metadata, { title: 'Launch plan' }, 'a write replaces the whole object');
  await rejectsWith(room.metadata({ metadata: { title: 'stale' }, version: 1 }), 'conflict');
  await rejectsWith(api.room(name).metadata({ metadata: { title: 'stale' }, version: 1 }), 'conflict');
  const read = await bob.room(name).metadata();
  assert.equal(read.version, 2);
  assert.deepEqual(read.metadata, { title: 'Launch plan' });
  const v3 = await api.room(name).metadata({ metadata: { locked: true }, version: 2 });
  assert.equal(v3.version, 3);
  assert.deepEqual((await api.room(name).metadata()).metadata, { locked: true });
});

test('presence: set by a member, seen by the others', async () => {
  const name = unique('pres');
  const alice = await open('alice');
  const bob = await open('bob');
  await alice.room(name).join({ presence: { status: 'online' } });
  await bob.room(name).join();
  const seen = waitFor(bob.room(name), 'presence', (p) => p.userId === 'alice');
  await alice.room(name).presence({ status: 'away' });
  assert.deepEqual(await seen, { userId: 'alice', presence: { status: 'away' } });
  const member = (await bob.room(name).members()).members.find((m) => m.userId === 'alice');
  assert.deepEqual(member.presence, { status: 'away' });
  await assert.rejects(alice.room(unique('notjoined')).presence({ status: 'x' }), OnairError);
});

// On its own onair process: a crash here must not take the other tests down with it.
test('the server API lists presence of client-joined and server-held members', async () => {
  await withOwnServer(async (ownApi, own) => {
    const name = unique('prsapi');
    assert.deepEqual(await ownApi.room(name).presence(), { presence: [], cursor: null });
    const { token } = await ownApi.createToken({ userId: 'alice', ttl: 600, grants: ALL_GRANTS });
    const alice = await connect({ url: own.url, token, WebSocket, reconnect: false });
    clients.push(alice);
    await alice.room(name).join({ presence: { status: 'online' } });
    await ownApi.room(name).join({ userId: 'bot', presence: { status: 'busy' } });
    const { presence } = await ownApi.room(name).presence();
    const byUser = Object.fromEntries(presence.map((p) => [p.userId, p.presence]));
    assert.deepEqual(byUser, { alice: { status: 'online' }, bot: { status: 'busy' } });
  });
});

test('the server API honours limit, cursor and direction in the query string', async () => {
  await withOwnServer(async (ownApi) => {
    const room = ownApi.room(unique('q'));
    const channel = ownApi.channel(unique('qch'));
    for (let n = 1; n <= 5; n++) {
      await room.publish({ type: 'n', data: { n } });
      await channel.publish({ type: 'n', data: { n } });
    }
    for (const stream of [room, channel]) {
      const p1 = await stream.history({ limit: 2 });
      assert.deepEqual(p1.messages.map((m) => m.offset), [5, 4], `${stream.name}: ?limit=2`);
      assert.equal(typeof p1.cursor, 'string');
      const p2 = await stream.history({ limit: 2, cursor: p1.cursor });
      assert.deepEqual(p2.messages.map((m) => m.offset), [3, 2], `${stream.name}: ?cursor=`);
      const f1 = await stream.history({ limit: 4, direction: 'forward' });
      assert.deepEqual(f1.messages.map((m) => m.offset), [1, 2, 3, 4], `${stream.name}: ?direction=forward`);
    }
    const snap = await room.snapshot({ limit: 1 });
    assert.deepEqual(snap.messages.map((m) => m.offset), [5], 'snapshot ?limit=1');
    await rejectsWith(room.history({ limit: 0 }), 'invalid_argument');
    await rejectsWith(room.history({ direction: 'sideways' }), 'invalid_argument');
  });
});

test('snapshot returns members, metadata, the newest messages and the position', async () => {
  const name = unique('snap');
  const alice = await open('alice');
  await alice.room(name).join({ metadata: { role: 'editor' } });
  await alice.room(name).metadata({ metadata: { title: 'T' } });
  for (let n = 1; n <= 4; n++) await alice.room(name).publish({ type: 'n', data: { n } });
  const snap = await alice.room(name).snapshot({ limit: 2 });
  assert.equal(snap.room, name);
  assert.deepEqual(ids(snap.members), ['alice']);
  assert.equal(snap.position.offset, 4);
  assert.equal(snap.messages.length, 2);
  assert.deepEqual(snap.messages.map((m) => m.offset).sort(), [3, 4]);
  assert.equal(snap.metadata.room, name);
  assert.deepEqual(snap.metadata.metadata, { title: 'T' });
  assert.equal(snap.metadata.version, 1);
  assert.deepEqual(snap.messages.map((m) => m.offset), [3, 4], 'oldest first');
  assertMember(snap.members[0], 'alice');
  assert.deepEqual(snap.members[0].metadata, { role: 'editor' });
  const viaApi = await api.room(name).snapshot();
  assert.equal(viaApi.messages.length, 4);
});

test('channels: subscribe, publish, broadcast, history and stats', async () => {
  const name = unique('deployments');
  const alice = await open('alice');
  const bob = await open('bob');
  const got = [];
  const sub = await bob.channel(name).subscribe((m) => got.push(m));
  assert.equal(sub.channel, name);
  assert.equal(sub.position.offset, 0);
  const result = await alice.channel(name).publish({ type: 'deployment.finished', data: { deploymentId: 'dep_123', status: 'success' } });
  await alice.channel(name).broadcast({ type: 'deployment.progress', data: { pct: 50 } });
  await until(() => got.length === 2);
  assert.deepEqual(got[0], {
    type: 'deployment.finished', data: { deploymentId: 'dep_123', status: 'success' }, publisher: 'alice',
    timestamp: result.timestamp, offset: result.offset, epoch: result.epoch,
  });
  assert.equal(got[1].type, 'deployment.progress');
  assert.equal(got[1].offset, undefined);
  const stats = await alice.channel(name).stats();
  assert.equal(stats.channel, name);
  assert.equal(stats.subscribers, 1);
  assert.equal(stats.messages, 1);
  assert.deepEqual(stats.position, { offset: 1, epoch: result.epoch });
  assert.deepEqual(await api.channel(name).stats(), stats);
  const page = await alice.channel(name).history({ limit: 50, direction: 'forward' });
  assert.deepEqual(page.messages.map((m) => m.type), ['deployment.finished']);
  await bob.channel(name).unsubscribe();
  assert.equal((await alice.channel(name).stats()).subscribers, 0);
  await alice.channel(name).publish({ type: 'after' });
  await sleep(100);
  assert.equal(got.length, 2, 'no messages after unsubscribe');
});

test('the server API publishes to subscribed clients and room members with publisher null', async () => {
  const room = unique('srvroom');
  const channel = unique('srvch');
  const alice = await open('alice');
  await alice.room(room).join();
  await alice.channel(channel).subscribe();
  const inRoom = waitFor(alice.room(room), 'message');
  const inChannel = waitFor(alice.channel(channel), 'message');
  const r = await api.room(room).publish({ type: 'job.done', data: { id: 1 } });
  const c = await api.channel(channel).publish({ type: 'alert', data: { level: 'high' } });
  const m1 = await inRoom;
  const m2 = await inChannel;
  assert.equal(m1.publisher, null);
  assert.equal(m1.offset, r.offset);
  assert.deepEqual(m1.data, { id: 1 });
  assert.equal(m2.publisher, null);
  assert.equal(m2.offset, c.offset);
  const b = waitFor(alice.channel(channel), 'message', (m) => m.type === 'flash');
  await api.channel(channel).broadcast({ type: 'flash' });
  assert.equal((await b).offset, undefined);
});

test('server-held members: join and leave through the server API', async () => {
  const name = unique('held');
  const alice = await open('alice');
  await alice.room(name).join();
  const joined = waitFor(alice.room(name), 'memberJoined', (m) => m.userId === 'bot');
  const member = await api.room(name).join({ userId: 'bot', name: 'Bot', metadata: { kind: 'bot' }, presence: { status: 'online' } });
  assertMember(member, 'bot');
  assert.deepEqual(member.metadata, { kind: 'bot' });
  await joined;
  assert.deepEqual(ids((await alice.room(name).members()).members), ['alice', 'bot']);
  const left = waitFor(alice.room(name), 'memberLeft', (m) => m.userId === 'bot');
  await api.room(name).leave('bot');
  await left;
  assert.deepEqual(ids((await api.room(name).members()).members), ['alice']);
});

test('destroy sends destroyed to members, deletes history and metadata, and starts a new epoch', async () => {
  const name = unique('temp');
  const alice = await open('alice');
  const bob = await open('bob');
  await alice.room(name).join();
  await bob.room(name).join();
  const first = await alice.room(name).publish({ type: 'x' });
  await alice.room(name).metadata({ metadata: { title: 'T' } });
  const destroyed = waitFor(bob.room(name), 'destroyed');
  await alice.room(name).destroy();
  await destroyed;
  assert.equal(bob.room(name).isJoined, false);
  assert.deepEqual((await api.room(name).members()).members, []);
  assert.deepEqual((await api.room(name).history()).messages, []);
  assert.equal((await api.room(name).metadata()).version, 0);
  const next = await api.room(name).publish({ type: 'y' });
  assert.equal(next.offset, 1);
  assert.notEqual(next.epoch, first.epoch);

  const other = unique('temp2');
  await bob.room(other).join();
  const gone = waitFor(bob.room(other), 'destroyed');
  await api.room(other).destroy();
  await gone;

  const ch = unique('tempch');
  const c1 = await api.channel(ch).publish({ type: 'a' });
  await api.channel(ch).destroy();
  assert.deepEqual((await api.channel(ch).history()).messages, []);
  const c2 = await api.channel(ch).publish({ type: 'b' });
  assert.equal(c2.offset, 1);
  assert.notEqual(c2.epoch, c1.epoch);
});

test('a room resumes after a drop with exactly the messages it missed', async () => {
  const name = unique('resume');
  const alice = await open('alice');
  const bob = await open('bob', { reconnect: FAST });
  const room = bob.room(name);
  await room.join({ metadata: { role: 'viewer' } });
  await alice.room(name).join();
  const got = [];
  room.on('message', (m) => got.push(m.offset));
  for (let n = 1; n <= 2; n++) await alice.room(name).publish({ type: 'n', data: { n } });
  await until(() => got.length === 2);
  await room.presence({ status: 'busy' });

  bob.gate.close();                                   // hold the reconnect until we published
  const left = waitFor(alice.room(name), 'memberLeft', (m) => m.userId === 'bob');
  dropSocket(bob);
  await left;                                          // the server noticed the drop
  for (let n = 3; n <= 5; n++) await alice.room(name).publish({ type: 'n', data: { n } });
  const resumed = waitFor(room, 'resumed');
  const rejoined = waitFor(alice.room(name), 'memberJoined', (m) => m.userId === 'bob');
  bob.gate.open();
  assert.equal((await resumed).recovered, true);
  const member = await rejoined;
  assert.deepEqual(member.metadata, { role: 'viewer' }, 're-joined with the same metadata');
  assert.deepEqual(member.presence, { status: 'busy' }, 're-joined with the last presence');
  await until(() => got.length >= 5);
  await alice.room(name).publish({ type: 'n', data: { n: 6 } });
  await until(() => got.length >= 6);
  await sleep(100);
  assert.deepEqual(got, [1, 2, 3, 4, 5, 6], 'no gap and no duplicate');
  assert.equal(room.position.offset, 6);
});

test('a room resume after the room was destroyed reports recovered: false', async () => {
  const name = unique('reborn');
  const bob = await open('bob', { reconnect: FAST });
  const room = bob.room(name);
  await room.join();
  await api.room(name).publish({ type: 'old' });
  await until(() => room.position?.offset === 1);
  const oldEpoch = room.position.epoch;
  bob.gate.close();
  dropSocket(bob);
  await sleep(100);
  await api.room(name).destroy();
  await api.room(name).publish({ type: 'new' });
  const resumed = waitFor(room, 'resumed');
  bob.gate.open();
  const info = await resumed;
  assert.equal(info.recovered, false);
  assert.notEqual(room.position.epoch, oldEpoch);
  assert.equal(room.position.offset, 1);
});

test('a channel resumes after a drop with exactly the messages it missed', async () => {
  const name = unique('resumech');
  const bob = await open('bob', { reconnect: FAST });
  const got = [];
  await bob.channel(name).subscribe((m) => got.push(m.offset));
  await api.channel(name).publish({ type: 'n' });
  await until(() => got.length === 1);
  bob.gate.close();
  const disconnected = waitFor(bob, 'disconnected');
  dropSocket(bob);
  await disconnected;
  await sleep(100);
  for (let n = 2; n <= 4; n++) await api.channel(name).publish({ type: 'n' });
  const resumed = waitFor(bob.channel(name), 'resumed');
  bob.gate.open();
  assert.equal((await resumed).recovered, true);
  await until(() => got.length >= 4);
  await api.channel(name).publish({ type: 'n' });
  await until(() => got.length >= 5);
  await sleep(100);
  assert.deepEqual(got, [1, 2, 3, 4, 5]);
});

test('stats count rooms, members and messages', async () => {
  const name = unique('stats');
  const alice = await open('alice');
  await alice.room(name).join();
  await alice.room(name).publish({ type: 'x' });
  const stats = await alice.stats();
  for (const key of ['rooms', 'channels', 'members', 'connections']) {
    assert.equal(typeof stats[key], 'number', key);
  }
  assert.ok(stats.rooms >= 1);
  assert.ok(stats.members >= 1);
  assert.ok(stats.connections >= 1);
  assert.ok(stats.messages.stored >= 1);
  assert.equal(typeof stats.messages.delivered, 'number');
  const viaApi = await api.stats();
  assert.ok(viaApi.rooms >= 1);
  assert.ok(viaApi.messages.stored >= stats.messages.stored);
});

test('grants are enforced and bad arguments refused', async () => {
  const name = unique('locked');
  const reader = await open('reader', { grants: ['room:*:subscribe', 'channel:*:subscribe'] });
  await reader.room(name).join();
  await rejectsWith(reader.room(name).publish({ type: 'x' }), 'permission');
  await rejectsWith(reader.room(name).history(), 'permission');
  await rejectsWith(reader.room(name).metadata({ metadata: {} }), 'permission');
  await rejectsWith(reader.room(name).destroy(), 'permission');
  await rejectsWith(reader.channel(name).publish({ type: 'x' }), 'permission');
  const nobody = await open('nobody', { grants: [] });
  await rejectsWith(nobody.room(name).join(), 'permission');
  await rejectsWith(nobody.channel(name).subscribe(), 'permission');
  const writer = await open('writer');
  await rejectsWith(writer.request('room.join', { room: 'bad name' }), 'invalid_argument');
  await rejectsWith(writer.request('room.publish', { room: name }), 'invalid_argument');
  await rejectsWith(writer.request('room.publish', { room: name, type: '' }), 'invalid_argument');
  await rejectsWith(writer.request('room.metadata', { room: name, metadata: [] }), 'invalid_argument');
});

test('join(), members(), snapshot() and the server API return every member when the server pages them', async () => {
  // A 64 KiB send queue makes pages of about 8 KiB: two of these members each.
  await withOwnServer(async (ownApi, own) => {
    const name = unique('paged');
    const users = Array.from({ length: 9 }, (_, i) => `member${i}`);
    const joined = [];
    for (const userId of users) {
      const { token } = await ownApi.createToken({ userId, ttl: 600, grants: ALL_GRANTS });
      const client = await connect({ url: own.url, token, WebSocket, reconnect: false });
      clients.push(client);
      joined.push(await client.room(name).join({ metadata: { bio: 'm'.repeat(1500) }, presence: 'p'.repeat(1500) }));
    }
    const last = clients[clients.length - 1].room(name);
    assert.deepEqual(joined.at(-1).members.map((m) => m.userId), users, 'join() has every member, in join order');
    assert.equal(joined.at(-1).membersCursor, null);
    const page = await last.membersPage({ limit: 3 });
    assert.ok(page.members.length < users.length && typeof page.cursor === 'string', 'the server pages');
    assert.deepEqual((await last.members()).members.map((m) => m.userId), users);
    assert.deepEqual((await last.snapshot()).members.map((m) => m.userId), users);
    assert.deepEqual((await ownApi.room(name).members()).members.map((m) => m.userId), users);
    assert.deepEqual((await ownApi.room(name).presence()).presence.map((p) => p.userId), users);
    assert.deepEqual((await ownApi.room(name).snapshot()).members.map((m) => m.userId), users);
  }, ['--ws-send-queue-bytes', '65536']);
});
