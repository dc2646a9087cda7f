// Two onair nodes on one Redis act as one server: rooms and channels (pub/sub in order exactly
// once, history and since-recovery), presence, and global live caps, checked through the wire
// protocol and the SDK against real processes (redis-server and two `onair serve`). Every test
// runs twice: on one Redis server, and on a Redis Cluster of three masters with a replica each
// (sharded pub/sub), where a last test kills a master under the nodes' feet.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startOnair } from '../support/onair.mjs';
import { redisCli, startRedis, startRedisCluster } from '../support/redis.mjs';
import { connectClient, ok, serverApi } from '../support/client.mjs';
import { apiCredential, randomSecret } from '../support/tokens.mjs';
import { publisherOffer, subscriberOffer } from '../support/streams.mjs';
import { WebSocket } from 'ws';
import { connect } from '../../sdk/js/dist/client/index.js';
import { OnairServer } from '../../sdk/js/dist/server/index.js';

// Both nodes sign and verify with the same key, as a deployment behind one load balancer does.
const apiKey = 'APImulti' + process.pid;
const apiSecret = randomSecret();

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

const deployments = [
  { name: 'one Redis server', start: () => startRedis() },
  { name: 'a Redis Cluster', start: () => startRedisCluster(), cluster: true },
];

for (const deployment of deployments) {
  describe(`two nodes on ${deployment.name}`, () => {
    let redis;
    let nodeA;
    let nodeB;
    const startNode = (id) => startOnair({
      apiKey, apiSecret,
      // One live broadcast per user: a place held twice or never given back shows.
      args: ['--engine', 'redis', '--redis-url', redis.url, '--redis-prefix', 'mn' + process.pid, '--node-id', id, '--live-max-entries-per-user', '1'],
    });

    before(async () => {
      redis = await deployment.start();
      nodeA = await startNode('node-a');
      nodeB = await startNode('node-b');
    });
    after(async () => {
      await nodeA?.stop();
      await nodeB?.stop();
      await redis?.stop();
    });

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

    test('room.send from node A reaches only the target member on node B, on each of its joined connections', async () => {
      const room = unique('mesh');
      const alice = await connectClient(nodeA, { sub: 'alice' });
      const bobB1 = await connectClient(nodeB, { sub: 'bob' });
      const bobB2 = await connectClient(nodeB, { sub: 'bob' });
      const bobA = await connectClient(nodeA, { sub: 'bob' });
      const carolB = await connectClient(nodeB, { sub: 'carol' });
      await ok(alice, 'room.join', { room });
      for (const c of [bobB1, bobB2, bobA, carolB]) await ok(c, 'room.join', { room });
      const directs = (c) => c.events.filter((e) => e.event === 'room.direct' && e.target === room);

      await ok(alice, 'room.send', { room, to: 'bob', type: 'offer', data: { sdp: 'x' } });
      for (const tab of [bobB1, bobB2, bobA]) {
        const got = await tab.waitEvent((e) => e.event === 'room.direct' && e.target === room);
        assert.deepEqual([got.data.from, got.data.type, got.data.data], ['alice', 'offer', { sdp: 'x' }]);
      }
      // A target connected to node B alone, which node A knows only from Presence.
      await ok(alice, 'room.send', { room, to: 'carol', type: 'candidate', data: 1 });
      const toCarol = await carolB.waitEvent((e) => e.event === 'room.direct' && e.target === room);
      assert.equal(toCarol.data.from, 'alice');
      // And back from node B to node A.
      await ok(carolB, 'room.send', { room, to: 'alice', type: 'answer', data: 2 });
      const back = await alice.waitEvent((e) => e.event === 'room.direct' && e.target === room);
      assert.deepEqual([back.data.from, back.data.data], ['carol', 2]);
      await new Promise((r) => setTimeout(r, 200));  // anything misdirected or repeated would arrive meanwhile
      // waitEvent took the expected ones: nothing else may be left.
      for (const c of [alice, bobB1, bobB2, bobA, carolB]) assert.deepEqual(directs(c), []);
      assert.equal((await alice.request('room.send', { room, to: 'nobody', type: 'x', data: 0 })).error.code, 'not_found');
      assert.equal((await ok(bobB1, 'room.history', { room })).messages.length, 0);
      for (const c of [alice, bobB1, bobB2, bobA, carolB]) c.close();
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

    test('a user connected to both nodes joins once and leaves once for the others', async () => {
      const room = unique('twice');
      const joinedBy = (c, userId) => c.events.filter((e) => e.event === 'room.memberJoined' && e.target === room && e.data.userId === userId);
      const leftBy = (c, userId) => c.events.filter((e) => e.event === 'room.memberLeft' && e.target === room && e.data.userId === userId);
      const watcher = await connectClient(nodeA, { sub: 'watcher' });
      await ok(watcher, 'room.join', { room });
      const carolOnA = await connectClient(nodeA, { sub: 'carol' });
      await ok(carolOnA, 'room.join', { room });
      await waitFor(() => joinedBy(watcher, 'carol').length === 1, "carol's join");
      const carolOnB = await connectClient(nodeB, { sub: 'carol' });
      await ok(carolOnB, 'room.join', { room });
      // Node B announces in order: dave's join comes after any announcement of carol's second one.
      const dave = await connectClient(nodeB, { sub: 'dave' });
      await ok(dave, 'room.join', { room });
      await waitFor(() => joinedBy(watcher, 'dave').length === 1, "dave's join");
      assert.equal(joinedBy(watcher, 'carol').length, 1, 'a second connection on another node is no new member');

      carolOnA.close();
      await new Promise((r) => setTimeout(r, 500));  // a wrong leave from node A would arrive meanwhile
      assert.equal(leftBy(watcher, 'carol').length, 0, 'carol is still connected through node B');
      assert.ok((await ok(watcher, 'room.members', { room })).members.some((m) => m.userId === 'carol'));
      carolOnB.close();
      await waitFor(() => leftBy(watcher, 'carol').length === 1, "carol's leave once her last connection closed");
      await new Promise((r) => setTimeout(r, 200));  // a duplicate would arrive meanwhile
      assert.equal(leftBy(watcher, 'carol').length, 1);
      for (const c of [watcher, dave]) c.close();
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
      // A context subscriber on node B hears what happens on node A (and the other way round).
      const heardOnB = [];
      await onB.streams.subscribeContext(ctx);
      for (const e of ['streamRoomCreated', 'streamRoomUpdated', 'streamRoomDeleted']) onB.streams.on(e, (room) => heardOnB.push([e, room.streamRoomId ?? room.id]));
      const id = await onA.streams.createStreamRoom(ctx, ['bob'], [{ userId: 'alice' }], bytes('p'), bytes('q'));
      await waitFor(() => heardOnB.some(([e]) => e === 'streamRoomCreated'), 'streamRoomCreated on node B');
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
      await onA.streams.deleteStreamRoom(id);
      await waitFor(() => heardOnB.some(([e]) => e === 'streamRoomDeleted'), 'streamRoomDeleted on node B');
      assert.deepEqual(heardOnB.map(([e]) => e), ['streamRoomCreated', 'streamRoomUpdated', 'streamRoomDeleted'], 'each event once, in order');
      await onA.close();
      await onB.close();
    });

    test('a destroy on node A ends the subscriptions on node B too; the room made again is a new life on both', async () => {
      const room = unique('gone');
      const admin = await connectClient(nodeA, { sub: 'admin' });
      const member = await connectClient(nodeB, { sub: 'member' });
      await ok(member, 'room.join', { room });
      const first = await ok(admin, 'room.publish', { room, type: 't', data: 'old' });
      await member.waitEvent((e) => e.event === 'room.message' && e.target === room);
      await ok(admin, 'room.destroy', { room });
      await member.waitEvent((e) => e.event === 'room.destroyed' && e.target === room);
      // Node B dropped the subscription: a message of the new life does not reach the old one.
      // A listing racing node B's drop may answer not_found ("destroyed meanwhile"): asked again.
      await waitFor(async () => (await member.request('room.members', { room })).result?.members.length === 0, 'node B forgot the member');
      const again = await ok(member, 'room.join', { room });
      assert.notEqual(again.position.epoch, first.epoch, 'a new epoch after the destroy');
      const sent = await ok(admin, 'room.publish', { room, type: 't', data: 'new' });
      assert.equal(sent.offset, 1);
      const got = await member.waitEvent((e) => e.event === 'room.message' && e.target === room);
      assert.deepEqual([got.data.data, got.data.offset, got.data.epoch], ['new', 1, sent.epoch]);
      await new Promise((r) => setTimeout(r, 200));
      assert.equal(member.events.filter((e) => e.event === 'room.message' && e.target === room).length, 0, 'once');
      admin.close();
      member.close();
    });

    test('a producer that moves to another node keeps its broadcast: the old node\'s end does not end it', async () => {
      const liveId = `browser:${unique('moved')}`;
      const liveGrants = { live: { 'browser:*': ['publish', 'attach'] } };
      const transports = [{ kind: 'iframe-url', url: 'https://example.com/m' }];
      const onB = await connectClient(nodeB, { sub: 'mover', grants: liveGrants });
      await ok(onB, 'live.publish', { liveId, transports });
      const viewer = await connectClient(nodeA, { sub: 'watcher', grants: liveGrants });
      await ok(viewer, 'live.attach', { liveId });  // a mirror on node A
      const onA = await connectClient(nodeA, { sub: 'mover', grants: liveGrants });
      await ok(onA, 'live.publish', { liveId, transports });  // the producer now publishes on node A
      await ok(onB, 'live.unpublish', { liveId });  // its old node's entry ends
      await new Promise((r) => setTimeout(r, 1500));  // more than a mirror check
      assert.equal(viewer.events.filter((e) => e.event === 'live.ended').length, 0, 'the broadcast goes on');
      assert.ok((await ok(viewer, 'live.attach', { liveId })).attachId);
      for (const c of [onA, onB, viewer]) c.close();
    });

    test('portal-relay chunks a producer on node B sends reach consumers on both nodes in order, late joiners starting at the init chunk', async () => {
      const liveId = `content:${unique('relay')}`;
      const liveGrants = { live: { 'content:*': ['publish', 'attach'] } };
      const producer = await connectClient(nodeB, { sub: unique('producer'), grants: liveGrants });
      await ok(producer, 'live.publish', { liveId, transports: [{ kind: 'portal-relay' }] });
      const viewer = async (node) => {
        const c = await connectClient(node, { sub: unique('relay-viewer'), grants: liveGrants });
        c.chunks = [];
        c.ws.on('message', (m, isBinary) => { if (isBinary) c.chunks.push(readChunk(m)); });
        c.handle = await ok(c, 'live.attach', { liveId, transports: ['portal-relay'] });
        return c;
      };
      const send = async (...chunks) => {
        for (const [flags, text] of chunks) producer.ws.send(chunk(liveId, flags, text));
        await ok(producer, 'sys.ping');  // the chunks above were handled before this reply
      };
      const earlyB = await viewer(nodeB);
      await send([1, 'init'], [2, 'key1'], [0, 'd1'], [2, 'key2'], [0, 'd2']);
      const lateA = await viewer(nodeA);  // node A's first: it gets node B's catch-up
      const lateB = await viewer(nodeB);
      await send([0, 'd3']);
      const lateA2 = await viewer(nodeA);  // node A's second: from node A's own copy
      await send([0, 'd4']);
      const payloads = (c) => c.chunks.map((x) => x.payload);
      await waitFor(() => [earlyB, lateA, lateB, lateA2].every((c) => payloads(c).at(-1) === 'd4'), 'd4 everywhere');
      assert.deepEqual(payloads(earlyB), ['init', 'key1', 'd1', 'key2', 'd2', 'd3', 'd4']);
      for (const c of [lateA, lateB]) assert.deepEqual(payloads(c), ['init', 'key2', 'd2', 'd3', 'd4']);
      assert.deepEqual(payloads(lateA2), ['init', 'key2', 'd2', 'd3', 'd4']);
      assert.ok(lateA.chunks.every((x) => x.target === liveId && (x.payload === 'init') === (x.flags === 1)));
      // Node A's last relay slot goes: it stops listening; node B's viewers go on.
      for (const c of [lateA, lateA2]) await ok(c, 'live.release', { attachId: c.handle.attachId });
      await send([0, 'd5']);
      await waitFor(() => payloads(earlyB).at(-1) === 'd5', 'd5 on node B');
      await new Promise((r) => setTimeout(r, 200));
      assert.ok(!payloads(lateA).includes('d5'));
      for (const c of [producer, earlyB, lateA, lateB, lateA2]) c.close();
    });

    test('a moved broadcast holds its owner\'s place once: the old node\'s end keeps it, the new node\'s end gives it back', async () => {
      const user = unique('mover');
      const liveId = `browser:${unique('moved')}`;
      const other = `browser:${unique('other')}`;
      const liveGrants = { live: { 'browser:*': ['publish', 'attach'] } };
      const transports = [{ kind: 'iframe-url', url: 'https://example.com/m' }];
      const onB = await connectClient(nodeB, { sub: user, grants: liveGrants });
      const onA = await connectClient(nodeA, { sub: user, grants: liveGrants });
      await ok(onB, 'live.publish', { liveId, transports });
      await ok(onA, 'live.publish', { liveId, transports });  // moved to node A: the same place
      await ok(onB, 'live.unpublish', { liveId });  // the old node's entry ends
      await new Promise((r) => setTimeout(r, 300));
      const refused = await onA.request('live.publish', { liveId: other, transports });
      assert.equal(refused.error?.code, 'cap_exceeded', 'the broadcast on node A still holds the one place');
      await ok(onA, 'live.unpublish', { liveId });
      await waitFor(async () => (await onA.request('live.publish', { liveId: other, transports })).result, 'the place given back');
      await ok(onA, 'live.unpublish', { liveId: other });
      for (const c of [onA, onB]) c.close();
    });

    test('heartbeat, release, resolve and unpublish answer the same on either node', async () => {
      const liveId = `browser:${unique('either')}`;
      const liveGrants = { live: { 'browser:*': ['publish', 'attach'] } };
      const producer = await connectClient(nodeB, { sub: unique('producer'), grants: liveGrants });
      await ok(producer, 'live.publish', { liveId, transports: [{ kind: 'iframe-url', url: 'https://example.com/e' }] });
      const onA = await connectClient(nodeA, { sub: 'either', grants: liveGrants });
      const onB = await connectClient(nodeB, { sub: 'either', grants: liveGrants });
      assert.deepEqual(await ok(onA, 'live.resolve', { liveId }), await ok(onB, 'live.resolve', { liveId }));
      // A slot held on node A, kept and released through node B (the consumer reconnected there).
      const { attachId } = await ok(onA, 'live.attach', { liveId });
      assert.ok((await ok(onB, 'live.heartbeat', { attachId })).expiresAt);
      assert.deepEqual(await ok(onB, 'live.release', { attachId }), { ok: true });
      await waitFor(async () => (await onA.request('live.heartbeat', { attachId })).error?.code === 'not_found', 'node A dropped the slot');
      assert.equal((await onB.request('live.heartbeat', { attachId })).error?.code, 'not_found');
      // Only the producer (or the server API) ends it, on either node; the server API does through node A.
      for (const c of [onA, onB]) assert.equal((await c.request('live.unpublish', { liveId })).error?.code, 'permission');
      const held = await ok(onB, 'live.attach', { liveId });
      const res = await fetch(nodeA.url + '/v1/live/unpublish', {
        method: 'POST', headers: { authorization: `Bearer ${apiCredential(nodeA)}`, 'content-type': 'application/json' }, body: JSON.stringify({ liveId }),
      });
      assert.equal(res.status, 200);
      await onB.waitEvent((e) => e.event === 'live.ended' && e.data.attachId === held.attachId, 5000);
      for (const c of [onA, onB]) assert.equal((await c.request('live.resolve', { liveId })).error?.code, 'not_found');
      for (const c of [producer, onA, onB]) c.close();
    });

    // A stage lives on one node (its owner: the node the first request about it reached, here its
    // participant tokens'); requests of clients on the other node are relayed. Each direction once.
    for (const ownerName of ['A', 'B']) {
      test(`a stage request made on one node is seen and granted by a host on the other (stage owned by node ${ownerName})`, async () => {
        const owner = ownerName === 'A' ? nodeA : nodeB;
        const api = async (node, method, path, body) => {
          const { status, body: json } = await serverApi(node, method, path, body);
          assert.equal(status, 200, JSON.stringify(json));
          return json;
        };
        const relayedBefore = await relayedRequests(nodeA, nodeB);
        const stage = await api(nodeA, 'POST', '/v1/stages', { name: 'across' });
        const participant = async (node, userId, role) => {
          const { token } = await api(owner, 'POST', `/v1/stages/${stage.id}/participant-tokens`, { userId, role });
          return connectClient(node, { token });
        };
        const viewer = await participant(nodeA, 'viewer1', 'viewer');
        const host = await participant(nodeB, 'host1', 'host');
        await ok(viewer, 'stage.open', { stageId: stage.id });
        await ok(host, 'stage.open', { stageId: stage.id });

        assert.equal((await ok(viewer, 'stage.requestAccess', { stageId: stage.id })).status, 'REQUESTED_TO_JOIN_STAGE');
        const update = await host.waitEvent((e) => e.event === 'stage.stageAccessRequestUpdate' && e.data.requests.length === 1);
        assert.equal(update.data.requests[0].userId, 'viewer1');
        await ok(host, 'stage.grantAccess', { stageId: stage.id, userIds: ['viewer1'] });
        await viewer.waitEvent((e) => e.event === 'stage.stageRequestApproved');
        assert.equal((await ok(viewer, 'stage.join', { stageId: stage.id })).status, 'ON_STAGE');
        // The stage's media room is on the stage's node: a publish there reaches the host's stage.
        await ok(viewer, 'streams.joinStreamRoom', { streamRoomId: stage.streamRoomId });
        const published = await ok(viewer, 'streams.publish', { streamRoomId: stage.streamRoomId, sdp: publisherOffer, tracks: [{ mid: '0', trackId: 't1', kind: 'audio' }] });
        assert.match(published.sdp, /a=candidate/, 'an answer with the owner node\'s candidates');
        const added = await host.waitEvent((e) => e.event === 'stage.participantStreamsAdded');
        assert.equal(added.data.userId, 'viewer1');
        // A kick from the host's node ends the viewer's publishing on the stage's node.
        await ok(host, 'stage.kick', { stageId: stage.id, userIds: ['viewer1'] });
        await viewer.waitEvent((e) => e.event === 'stage.stageStatusUpdate' && e.data.status === 'OFF_STAGE');
        await host.waitEvent((e) => e.event === 'stage.participantStreamsRemoved');
        // The server API answers the same on both nodes (the owner's view of who is connected).
        let viewerId;
        for (const node of [nodeA, nodeB]) {
          const { participants } = await api(node, 'GET', `/v1/stages/${stage.id}/participants`);
          assert.deepEqual(participants.filter((p) => p.connected).map((p) => p.userId).sort(), ['host1', 'viewer1'], `on ${node === nodeA ? 'A' : 'B'}`);
          viewerId = participants.find((p) => p.userId === 'viewer1').participantId;
        }
        // Without a credential nothing is relayed: 401 from the node asked.
        for (const node of [nodeA, nodeB]) {
          assert.equal((await fetch(`${node.url}/v1/stages/${stage.id}/participants`)).status, 401);
        }
        // Disconnecting through node B reaches the viewer's connection on node A.
        await api(nodeB, 'POST', `/v1/stages/${stage.id}/participants/${viewerId}/disconnect`, { reason: 'bye' });
        assert.equal(await viewer.closed, 4012);
        const participants = async () => (await ok(host, 'stage.participants', { stageId: stage.id })).participants;
        await waitFor(async () => !(await participants()).some((p) => p.userId === 'viewer1' && p.connected), 'the viewer gone from the stage');
        // One of the two was on the other node: its requests went through the relay.
        assert.ok(await relayedRequests(nodeA, nodeB) >= relayedBefore + 4, 'requests were relayed to the stage\'s node');
        host.close();
      });
    }

    test('a stage event for many connections relayed from one node crosses once per loop turn, and each of them gets it', async () => {
      const api = async (node, method, path, body) => (await serverApi(node, method, path, body)).body;
      const stage = await api(nodeA, 'POST', '/v1/stages', { name: 'many hosts' });
      const join = async (node, userId, role) => {
        const { token } = await api(nodeA, 'POST', `/v1/stages/${stage.id}/participant-tokens`, { userId, role });
        const c = await connectClient(node, { token });
        await ok(c, 'stage.open', { stageId: stage.id });
        return c;
      };
      const viewer = await join(nodeA, 'asker', 'viewer');  // node A owns the stage
      const hosts = [];
      for (let i = 0; i < 4; i++) hosts.push(await join(nodeB, `host${i}`, 'host'));
      const shared = async () => Number(/^onair_relay_shared_frame_batches_sent_total (\d+)/m.exec(await (await fetch(nodeA.url + '/metrics')).text())[1]);
      const before = await shared();
      await ok(viewer, 'stage.requestAccess', { stageId: stage.id });
      for (const h of hosts) await h.waitEvent((e) => e.event === 'stage.stageAccessRequestUpdate' && e.data.requests.length === 1);
      // Four relayed hosts on (at most) two shards of node A: some got the event in one batch.
      assert.ok(await shared() > before, 'the event crossed as one shared batch for several hosts');
      for (const c of [viewer, ...hosts]) c.close();
    });

    test('a live viewer attached with webrtc on node B joins and subscribes in the room node A owns, and is let go there when its slot goes', async () => {
      const ctx = `ctx-live-${process.pid}-${++counter}`;
      const server = new OnairServer({ url: nodeA.url, apiKey, apiSecret });
      const room = await server.streams.createStreamRoom(ctx, ['caster'], [], new Uint8Array(), new Uint8Array());
      const liveId = `content:${unique('cam')}`;
      const producer = await connectClient(nodeA, { sub: 'caster', grants: { live: { 'content:*': ['publish'] }, stream: { [ctx]: ['join', 'publish', 'subscribe'] } } });
      await ok(producer, 'live.publish', { liveId, transports: [{ kind: 'webrtc', signalingChannelId: room }] });
      await ok(producer, 'streams.joinStreamRoom', { streamRoomId: room });  // node A owns the room
      const stream = await ok(producer, 'streams.publish', { streamRoomId: room, sdp: publisherOffer, tracks: [{ mid: '0', trackId: 'mic', kind: 'audio' }] });

      const viewer = await connectClient(nodeB, { sub: 'viewer', grants: { live: { 'content:*': ['attach'] } } });
      assert.equal((await viewer.request('streams.joinStreamRoom', { streamRoomId: room })).error?.code, 'permission', 'no slot, no entry');
      const handle = await ok(viewer, 'live.attach', { liveId, transports: ['webrtc'] });
      assert.deepEqual(handle.transport, { kind: 'webrtc', signalingChannelId: room });
      const joined = await ok(viewer, 'streams.joinStreamRoom', { streamRoomId: room });
      assert.deepEqual(joined.members.sort(), ['caster', 'viewer']);
      const sub = await ok(viewer, 'streams.subscribe', { streamRoomId: room, sdp: subscriberOffer, subscriptions: [{ mid: '0', streamId: stream.streamId, trackId: 'mic' }] });
      assert.ok(!sub.rejected.some((r) => r.mid === '0'), JSON.stringify(sub.rejected));
      assert.match(sub.sdp, /a=candidate/, 'an answer from node A');
      assert.equal((await viewer.request('streams.publish', { streamRoomId: room, sdp: publisherOffer, tracks: [{ mid: '0', trackId: 'x', kind: 'audio' }] })).error?.code, 'permission');

      await ok(viewer, 'live.release', { attachId: handle.attachId });
      const left = await producer.waitEvent((e) => e.event === 'streams.streamMemberLeft' && e.data.userId === 'viewer');
      assert.equal(left.target, room);
      assert.equal((await viewer.request('streams.listStreams', { streamRoomId: room })).error?.code, 'permission', 'the viewer left the room on node A');
      await ok(producer, 'live.unpublish', { liveId });  // the user's one place (live.max_entries_per_user) back
      producer.close();
      viewer.close();
    });

    // Last: it leaves the cluster without a replica for one shard.
    if (deployment.cluster) {
      test('a master killed: publishes and attaches succeed again within 5 s, a subscriber resumes with every acknowledged message once', async () => {
        await failover(redis, nodeA, nodeB);
      });
    }
  });
}

// Binary frame: version 1, flags (1 init, 2 key), target length, target, payload.
function chunk(liveId, flags, text) {
  const target = Buffer.from(liveId);
  const head = Buffer.from([1, flags, target.length >> 8, target.length & 0xff]);
  return Buffer.concat([head, target, Buffer.from(text)]);
}
function readChunk(buf) {
  const len = (buf[2] << 8) | buf[3];
  return { flags: buf[1], target: buf.subarray(4, 4 + len).toString(), payload: buf.subarray(4 + len).toString() };
}

// Requests the two nodes served for the other's clients (onair_relay_requests_received_total).
async function relayedRequests(...nodes) {
  let total = 0;
  for (const node of nodes) {
    const text = await (await fetch(node.url + '/metrics')).text();
    total += Number(/^onair_relay_requests_received_total (\d+)/m.exec(text)?.[1] ?? NaN);
  }
  return total;
}

// The master serving a channel's keys dies (SIGKILL) while both nodes serve; its replica takes
// over after the cluster's node timeout (1 s) and the nodes follow the new slot map.
async function failover(cluster, nodeA, nodeB) {
  const channel = unique('failover');
  const liveId = `browser:${unique('tab')}`;
  const liveGrants = { live: { 'browser:*': ['publish', 'attach'] } };
  const reader = await connectClient(nodeA, { sub: 'reader' });
  await ok(reader, 'channel.subscribe', { channel });
  const writer = await connectClient(nodeB, { sub: 'writer' });
  const producer = await connectClient(nodeB, { sub: 'producer', grants: liveGrants });
  await ok(producer, 'live.publish', { liveId, transports: [{ kind: 'iframe-url', url: 'https://example.com/v' }] });
  const viewer = await connectClient(nodeA, { sub: 'viewer', grants: liveGrants });
  const acked = [];
  for (let i = 0; i < 5; i++) acked.push((await ok(writer, 'channel.publish', { channel, type: 't', data: i })).offset);
  await waitFor(() => reader.events.filter((e) => e.event === 'channel.message').length >= 5, 'the first messages');

  // The victim is the master holding the channel's keys (the nodes name them with the channel).
  let victim = 0;
  for (const master of cluster.masters) {
    const keys = await redisCli(['-p', String(master.port), '--scan', '--pattern', `*${channel}*`]);
    if (keys.trim()) victim = master.port;
  }
  assert.ok(victim, 'a master holds the channel\'s keys');
  await cluster.kill(victim);
  const killedAt = Date.now();

  // Publish and attach every 100 ms until both succeed; each failure is service_unavailable.
  let published = false;
  let attached = false;
  for (let n = 5; !(published && attached) && Date.now() - killedAt < 5000; n++) {
    if (!published) {
      const reply = await writer.request('channel.publish', { channel, type: 't', data: n });
      if (reply.result) { published = true; acked.push(reply.result.offset); }
      else assert.equal(reply.error?.code, 'service_unavailable', JSON.stringify(reply));
    }
    if (!attached) {
      const reply = await viewer.request('live.attach', { liveId });
      if (reply.result) attached = true;
      else assert.equal(reply.error?.code, 'service_unavailable', JSON.stringify(reply));
    }
    if (!(published && attached)) await new Promise((r) => setTimeout(r, 100));
  }
  assert.ok(published, 'a publish succeeded within 5 s of the kill');
  assert.ok(attached, 'an attach succeeded within 5 s of the kill');
  assert.notEqual(await cluster.masterOf(`{${channel}}`), victim, 'a replica took over');
  for (let i = 0; i < 3; i++) acked.push((await ok(writer, 'channel.publish', { channel, type: 't', data: 100 + i })).offset);

  // The subscriber on node A resumed: every acknowledged message once, in offset order (a publish
  // answered service_unavailable may have been stored too, and then arrives once as well).
  const offsets = () => reader.events.filter((e) => e.event === 'channel.message').map((e) => e.data.offset);
  await waitFor(() => acked.every((o) => offsets().includes(o)), 'every acknowledged message on the subscriber');
  await new Promise((r) => setTimeout(r, 200));
  const got = offsets();
  assert.deepEqual(got, [...got].sort((a, b) => a - b), 'in offset order');
  assert.equal(new Set(got).size, got.length, 'each once');
  for (const c of [reader, writer, producer, viewer]) c.close();
}
