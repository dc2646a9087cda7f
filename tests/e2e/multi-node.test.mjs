// Two onair nodes on one Redis act as one server: rooms and channels (pub/sub in order exactly
// once, history and since-recovery), presence, and global live caps, checked through the wire
// protocol and the SDK against real processes (redis-server and two `onair serve`).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startOnair } from '../support/onair.mjs';
import { startRedis } from '../support/redis.mjs';
import { connectClient, ok } from '../support/client.mjs';
import { randomSecret } from '../support/tokens.mjs';
import { WebSocket } from 'ws';
import { connect } from '../../sdk/js/dist/client/index.js';
import { OnairServer } from '../../sdk/js/dist/server/index.js';

let redis;
let nodeA;
let nodeB;

// Both nodes sign and verify with the same key, as a deployment behind one load balancer does.
const apiKey = 'APImulti' + process.pid;
const apiSecret = randomSecret();
const startNode = (id) => startOnair({
  apiKey, apiSecret,
  args: ['--engine', 'redis', '--redis-url', redis.url, '--redis-prefix', 'mn' + process.pid, '--node-id', id],
});

before(async () => {
  redis = await startRedis();
  nodeA = await startNode('node-a');
  nodeB = await startNode('node-b');
});
after(async () => {
  await nodeA?.stop();
  await nodeB?.stop();
  await redis?.stop();
});

let counter = 0;
const unique = (prefix) => `${prefix}_${process.pid}_${++counter}`;

const messagesOf = (client, room) => client.events.filter((e) => e.event === 'room.message' && e.target === room && e.data.offset);

async function waitFor(predicate, what, ms = 5000) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await predicate()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  assert.fail(`timed out waiting for ${what}`);
}

test('a subscriber on node A receives what publishers on both nodes publish, in offset order, exactly once', async () => {
  const room = unique('orders');
  const reader = await connectClient(nodeA, { sub: 'reader' });
  await ok(reader, 'room.join', { room });
  const onA = await connectClient(nodeA, { sub: 'pa' });
  const onB = await connectClient(nodeB, { sub: 'pb' });
  await ok(onA, 'room.join', { room });
  await ok(onB, 'room.join', { room });
  // Two publishers on two nodes, interleaved and concurrent.
  const sends = [];
  for (let i = 0; i < 40; i++) {
    sends.push(ok(i % 2 ? onA : onB, 'room.publish', { room, type: 'n', data: { i } }));
  }
  const acks = await Promise.all(sends);
  const offsets = acks.map((a) => a.offset).sort((x, y) => x - y);
  assert.deepEqual(offsets, Array.from({ length: 40 }, (_, i) => i + 1), 'every acknowledged publish has its own offset');
  await waitFor(() => messagesOf(reader, room).length >= 40, '40 messages on node A');
  await new Promise((r) => setTimeout(r, 200));  // anything extra (a duplicate) would arrive meanwhile
  const got = messagesOf(reader, room);
  assert.deepEqual(got.map((e) => e.data.offset), offsets, 'in offset order, each once');
  // The publisher on node B hears its own messages once too.
  await waitFor(() => messagesOf(onB, room).length >= 40, '40 messages on node B');
  assert.deepEqual(messagesOf(onB, room).map((e) => e.data.offset), offsets);

  // History answers the same on both nodes.
  const historyA = await ok(reader, 'room.history', { room, limit: 100 });
  const historyB = await ok(onB, 'room.history', { room, limit: 100 });
  assert.deepEqual(historyA, historyB);
  assert.equal(historyA.messages.length, 40);
  for (const c of [reader, onA, onB]) c.close();
});

test('since-recovery on the other node gives exactly the missed messages', async () => {
  const channel = unique('feed');
  const first = await connectClient(nodeA, { sub: 'sub1' });
  const joined = await ok(first, 'channel.subscribe', { channel });
  const publisher = await connectClient(nodeB, { sub: 'pub' });
  for (let i = 0; i < 3; i++) await ok(publisher, 'channel.publish', { channel, type: 't', data: i });
  await waitFor(() => first.events.filter((e) => e.event === 'channel.message').length >= 3, 'three messages on A');
  const position = first.events.filter((e) => e.event === 'channel.message').at(-1).data;
  first.close();
  for (let i = 3; i < 6; i++) await ok(publisher, 'channel.publish', { channel, type: 't', data: i });
  // The subscriber comes back on node B from where it was.
  const again = await connectClient(nodeB, { sub: 'sub1' });
  const resumed = await ok(again, 'channel.subscribe', { channel, since: { offset: position.offset, epoch: position.epoch } });
  assert.equal(resumed.recovered, true);
  assert.equal(joined.position.epoch, resumed.position.epoch, 'one epoch on both nodes');
  await waitFor(() => again.events.filter((e) => e.event === 'channel.message').length >= 3, 'the missed messages');
  assert.deepEqual(again.events.filter((e) => e.event === 'channel.message').map((e) => e.data.data), [3, 4, 5]);
  again.close();
  publisher.close();
});

test('presence shows members of either node; a member leaving node B disappears on node A', async () => {
  const room = unique('lobby');
  const alice = await connectClient(nodeA, { sub: 'alice' });
  await ok(alice, 'room.join', { room, presence: { at: 'a' } });
  const bob = await connectClient(nodeB, { sub: 'bob' });
  const b = await ok(bob, 'room.join', { room, presence: { at: 'b' } });
  assert.deepEqual(b.members.map((m) => m.userId).sort(), ['alice', 'bob'], 'node B sees the member of node A at join');
  assert.deepEqual(b.members.find((m) => m.userId === 'alice').presence, { at: 'a' });
  const joined = await alice.waitEvent((e) => e.event === 'room.memberJoined' && e.target === room && e.data.userId === 'bob');
  assert.equal(joined.data.presence.at, 'b');
  assert.deepEqual((await ok(alice, 'room.members', { room })).members.map((m) => m.userId).sort(), ['alice', 'bob']);

  bob.close();
  const left = await alice.waitEvent((e) => e.event === 'room.memberLeft' && e.target === room);
  assert.equal(left.data.userId, 'bob');
  await waitFor(async () => (await ok(alice, 'room.members', { room })).members.length === 1, 'bob gone from node A');
  alice.close();
});

test('live caps are global: four slots over both nodes, the fifth refused on either, a release on A frees one for B', async () => {
  const liveId = `browser:${unique('tab')}`;  // kind browser: cap 4 per user
  const liveGrants = { live: { 'browser:*': ['publish', 'attach'] } };
  const producer = await connectClient(nodeB, { sub: 'producer', grants: liveGrants });
  await ok(producer, 'live.publish', { liveId, transports: [{ kind: 'iframe-url', url: 'https://example.com/v' }] });
  const onA = await connectClient(nodeA, { sub: 'viewer', grants: liveGrants });
  const onB = await connectClient(nodeB, { sub: 'viewer', grants: liveGrants });
  const handles = [];
  for (const c of [onA, onB, onA, onB]) handles.push({ c, h: await ok(c, 'live.attach', { liveId }) });
  assert.equal(handles.filter(({ c }) => c === onA).length, 2);
  for (const c of [onA, onB]) {
    const refused = await c.request('live.attach', { liveId });
    assert.equal(refused.error?.code, 'cap_exceeded', JSON.stringify(refused));
  }
  const onAHandle = handles.find(({ c }) => c === onA).h;
  assert.deepEqual(await ok(onA, 'live.release', { attachId: onAHandle.attachId }), { ok: true });
  assert.ok((await ok(onB, 'live.attach', { liveId })).attachId, 'the place freed on A is taken on B');

  // The producer ends the broadcast on B: the slots held on A end too (within a mirror check).
  await ok(producer, 'live.unpublish', { liveId });
  const ended = await onA.waitEvent((e) => e.event === 'live.ended', 5000);
  assert.equal(ended.data.liveId, liveId);
  for (const c of [producer, onA, onB]) c.close();
});

test('stream-room records written on one node are read on the other, version checks included (SDK)', async () => {
  const ctx = `ctx-${process.pid}-${++counter}`;
  const sdkUser = async (node) => {
    const api = new OnairServer({ url: node.url, apiKey, apiSecret });
    const { token } = await api.createToken({ userId: 'alice', ttl: 600, grants: ['stream:ctx-*:join,manage'] });
    return connect({ url: node.url, WebSocket, token, reconnect: false });
  };
  const bytes = (t) => new TextEncoder().encode(t);
  const onA = await sdkUser(nodeA);
  const onB = await sdkUser(nodeB);
  const id = await onA.streams.createStreamRoom(ctx, ['bob'], [{ userId: 'alice' }], bytes('p'), bytes('q'));
  const seen = await onB.streams.getStreamRoom(id);
  assert.equal(seen.version, 1);
  assert.deepEqual(seen.users, ['bob']);
  assert.equal((await onB.streams.listStreamRooms(ctx, { limit: 10 })).totalAvailable, 1, 'the context index is shared');
  await onB.streams.updateStreamRoom(id, ['bob', 'carol'], ['alice'], bytes('p2'), bytes('q2'), 1, false, false);
  await assert.rejects(onA.streams.updateStreamRoom(id, ['bob'], ['alice'], bytes('p3'), bytes('q3'), 1, false, false),
    (e) => e.code === 'conflict', 'node A sees the version node B wrote');
  const now = await onA.streams.getStreamRoom(id);
  assert.equal(now.version, 2);
  assert.deepEqual(now.users, ['bob', 'carol']);
  await onA.close();
  await onB.close();
});
