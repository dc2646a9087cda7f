// Stream media signaling against the real binary (no browser): who may publish and subscribe,
// what a bad offer gets, and the offer/answer, listing and events with a Chromium offer from the
// SDP fixtures. Media itself is tested in Chromium (tests/e2e/streams-media.test.mjs).
import { test as baseTest, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { WebSocket } from 'ws';
import { collect, publisherOffer, rejects, subscriberOffer, until } from '../support/streams.mjs';
import { startOnair } from '../support/onair.mjs';
import { connect } from '../../sdk/js/dist/client/index.js';
import { OnairServer } from '../../sdk/js/dist/server/index.js';

const test = (name, fn) => baseTest(name, { timeout: 15_000 }, fn);
const ALL = ['stream:ctx-*:join,manage,publish,subscribe'];


let srv;
let api;
const clients = [];
let contexts = 0;

before(async () => {
  srv = await startOnair();
  api = new OnairServer({ url: srv.url, apiKey: srv.apiKey, apiSecret: srv.apiSecret });
});

after(async () => {
  for (const c of clients) await c.close();
  if (srv) await srv.stop();
});

async function user(userId, grants = ALL) {
  const { token } = await api.createToken({ userId, ttl: 600, grants });
  const client = await connect({ url: srv.url, WebSocket, token, reconnect: false });
  clients.push(client);
  return client;
}

async function room(users = ['alice', 'bob', 'carol']) {
  return api.streams.createStreamRoom(`ctx-${process.pid}-${++contexts}`, users, [], new Uint8Array(), new Uint8Array());
}

// Open WebRTC transports over all shards, from /metrics.
async function transports() {
  const text = await (await fetch(`${srv.url}/metrics`)).text();
  return [...text.matchAll(/^onair_rtc_transports\{[^}]*\} (\d+)$/gm)].reduce((n, m) => n + Number(m[1]), 0);
}

async function untilNoTransports() {
  const deadline = Date.now() + 5000;
  while ((await transports()) !== 0) {
    if (Date.now() > deadline) assert.fail(`transports still open: ${await transports()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const publish = (client, streamRoomId, sdp = publisherOffer, tracks = [{ mid: '0', trackId: 'mic', kind: 'audio' }]) =>
  client.request('streams.publish', { streamRoomId, sdp, tracks });

test('media ops need a joined room and the publish or subscribe grant', async () => {
  const id = await room();
  const alice = await user('alice');
  await rejects(publish(alice, id), 'permission', /join stream room/);
  await rejects(alice.request('streams.subscribe', { streamRoomId: id, sdp: subscriberOffer, subscriptions: [] }), 'permission', /join/);
  await rejects(alice.request('streams.listStreams', { streamRoomId: id }), 'permission');

  const viewer = await user('bob', ['stream:ctx-*:join,subscribe']);
  await viewer.streams.joinStreamRoom(id);
  await rejects(publish(viewer, id), 'permission', /does not allow publish/);
  const mute = await user('carol', ['stream:ctx-*:join,publish']);
  await mute.streams.joinStreamRoom(id);
  await rejects(mute.request('streams.subscribe', { streamRoomId: id, sdp: subscriberOffer, subscriptions: [] }), 'permission', /does not allow subscribe/);
});

test('bad offers and track lists are invalid_argument with a reason', async () => {
  const id = await room();
  const alice = await user('alice');
  await alice.streams.joinStreamRoom(id);
  await rejects(publish(alice, id, 'not sdp at all'), 'invalid_argument', /sdp is not a session description.*line 1/);
  await rejects(publish(alice, id, publisherOffer.replace(/a=fingerprint:[^\r\n]*\r?\n/g, '')), 'invalid_argument', /fingerprint/);
  await rejects(publish(alice, id, publisherOffer, [{ mid: '7', trackId: 'mic', kind: 'audio' }]), 'invalid_argument', /no audio section with a=mid:7/);
  await rejects(publish(alice, id, publisherOffer, [{ mid: '0', trackId: 'mic', kind: 'video' }]), 'invalid_argument', /no video section/);
  await rejects(publish(alice, id, publisherOffer, [{ mid: '0', trackId: 'a', kind: 'audio' }, { mid: '0', trackId: 'b', kind: 'audio' }]), 'invalid_argument', /twice/);
  await rejects(alice.request('streams.publish', { streamRoomId: id, sdp: publisherOffer }), 'invalid_argument', /tracks/);
  await rejects(alice.request('streams.unpublish', { streamRoomId: id, streamId: 'st_nope' }), 'not_found');
  // A simulcast section asking for more encodings than onair receives (each would be a producer).
  const manyRids = publisherOffer.replace('a=simulcast:send q;h;f', 'a=simulcast:send q;h;f;a;b;c')
    .replace('a=rid:q send', ['q', 'a', 'b', 'c'].map((r) => `a=rid:${r} send`).join('\r\n'));
  await rejects(publish(alice, id, manyRids, [{ mid: '1', trackId: 'cam', kind: 'video' }]), 'invalid_argument', /more than 4 simulcast encodings/);
  // Nothing was published by the failures, and no transport is left open.
  assert.deepEqual((await alice.request('streams.listStreams', { streamRoomId: id })).streams, []);
  assert.equal(await transports(), 0);
});

test('publish answers one codec, members hear streamPublished, a subscriber gets ssrc and msid, unpublish ends it', async () => {
  const id = await room();
  const alice = await user('alice');
  const bob = await user('bob');
  await alice.streams.joinStreamRoom(id);
  await bob.streams.joinStreamRoom(id);
  const published = collect(bob, 'streamPublished');
  const unpublished = collect(bob, 'streamUnpublished');

  const r = await publish(alice, id);
  assert.match(r.streamId, /^st_/);
  assert.match(r.sdp, /^v=0\r\n/);
  assert.match(r.sdp, /a=ice-lite/);
  assert.match(r.sdp, /a=setup:passive/);
  assert.match(r.sdp, /a=recvonly/);
  const audio = r.sdp.split('m=')[1];
  assert.match(audio, /^audio \d+ UDP\/TLS\/RTP\/SAVPF 111\r\n/, 'one codec: opus');
  assert.doesNotMatch(r.sdp, /transport-cc|transport-wide-cc/);
  await until(() => published.length === 1, 'streamPublished at bob');
  assert.deepEqual(published[0], { streamRoomId: id, streamId: r.streamId, userId: 'alice', tracks: [{ trackId: 'mic', kind: 'audio' }] });

  const list = await bob.streams.listStreams(id);
  assert.deepEqual(list, [{ streamRoomId: id, streamId: r.streamId, userId: 'alice', tracks: [{ trackId: 'mic', kind: 'audio' }] }]);

  await rejects(bob.request('streams.subscribe', { streamRoomId: id, sdp: subscriberOffer, subscriptions: [{ mid: '0', streamId: r.streamId, trackId: 'cam' }] }), 'not_found', /no track cam/);
  await rejects(bob.request('streams.subscribe', { streamRoomId: id, sdp: subscriberOffer, subscriptions: [{ mid: '1', streamId: r.streamId, trackId: 'mic' }] }), 'invalid_argument', /audio/);
  const s = await bob.request('streams.subscribe', { streamRoomId: id, sdp: subscriberOffer, subscriptions: [{ mid: '0', streamId: r.streamId, trackId: 'mic' }] });
  const sections = s.sdp.split('m=');
  assert.match(sections[1], /a=sendonly/);
  assert.match(sections[1], new RegExp(`a=msid:${r.streamId} mic\r\n`));
  assert.match(sections[1], new RegExp(`a=ssrc:\\d+ msid:${r.streamId} mic\r\n`));
  assert.match(sections[1], /a=ssrc:\d+ cname:onair\r\n/);
  assert.match(sections[2], /^video [1-9]\d* /, 'the video section carries nothing, but stays in the transport');
  assert.match(sections[2], /a=inactive/);
  assert.doesNotMatch(sections[2], /a=ssrc/);
  assert.deepEqual(s.rejected.map((x) => x.mid), ['1']);

  assert.deepEqual(await alice.request("streams.unpublish", { streamRoomId: id, streamId: r.streamId }), {});
  await until(() => unpublished.length === 1, 'streamUnpublished at bob');
  assert.deepEqual(unpublished[0], { streamRoomId: id, streamId: r.streamId, userId: 'alice' });
  assert.deepEqual(await bob.streams.listStreams(id), []);
  assert.equal(await transports(), 1, "bob's subscribing transport");
  await bob.streams.leaveStreamRoom(id);
  await untilNoTransports();
});

test('leaving or disconnecting unpublishes', async () => {
  const id = await room();
  const alice = await user('alice');
  const bob = await user('bob');
  await alice.streams.joinStreamRoom(id);
  await bob.streams.joinStreamRoom(id);
  const unpublished = collect(bob, 'streamUnpublished');
  const first = await publish(alice, id);
  await alice.streams.leaveStreamRoom(id);
  await until(() => unpublished.some((e) => e.streamId === first.streamId), 'streamUnpublished after leave');

  const carol = await user('carol');
  await carol.streams.joinStreamRoom(id);
  const second = await publish(carol, id);
  assert.equal((await bob.streams.listStreams(id)).length, 1);
  await carol.close();
  await until(() => unpublished.some((e) => e.streamId === second.streamId), 'streamUnpublished after disconnect');
  assert.deepEqual(await bob.streams.listStreams(id), []);
  await untilNoTransports();
});

test('a later offer on the same peer connection renegotiates the stream: streamUpdated', async () => {
  const id = await room();
  const alice = await user('alice');
  const bob = await user('bob');
  await alice.streams.joinStreamRoom(id);
  await bob.streams.joinStreamRoom(id);
  const updated = collect(bob, 'streamUpdated');
  const first = await publish(alice, id);
  // The same offer again, now without the microphone: the same stream, no tracks.
  const second = await publish(alice, id, publisherOffer, []);
  assert.equal(second.streamId, first.streamId);
  await until(() => updated.length === 1, 'streamUpdated at bob');
  assert.deepEqual(updated[0], { streamRoomId: id, streamId: first.streamId, userId: 'alice', tracks: [] });
  // And back: the track returns under another id.
  await publish(alice, id, publisherOffer, [{ mid: '0', trackId: 'mic2', kind: 'audio' }]);
  await until(() => updated.length === 2, 'second streamUpdated');
  assert.deepEqual(updated[1].tracks, [{ trackId: 'mic2', kind: 'audio' }]);
  // An unchanged offer changes nothing.
  await publish(alice, id, publisherOffer, [{ mid: '0', trackId: 'mic2', kind: 'audio' }]);
  await alice.streams.leaveStreamRoom(id);
  await bob.streams.leaveStreamRoom(id);
  await untilNoTransports();
  assert.equal(updated.length, 2);
});

test('unpublish closes only the publishing transport: what the connection receives goes on', async () => {
  const id = await room();
  const alice = await user('alice');
  const bob = await user('bob');
  await alice.streams.joinStreamRoom(id);
  await bob.streams.joinStreamRoom(id);
  const bobs = await publish(bob, id);
  const mine = await publish(alice, id);
  const offer = { streamRoomId: id, sdp: subscriberOffer, subscriptions: [{ mid: '0', streamId: bobs.streamId, trackId: 'mic' }] };
  const first = await alice.request('streams.subscribe', offer);
  assert.equal(await transports(), 3, 'two publishing transports and alice\'s subscribing one');

  assert.deepEqual(await alice.request('streams.unpublish', { streamRoomId: id, streamId: mine.streamId }), {});
  assert.equal(await transports(), 2, 'bob\'s publishing transport and alice\'s subscribing one');
  // The same subscribing transport answers alice's next offer (same ICE credentials).
  const again = await alice.request('streams.subscribe', offer);
  const ufrag = (sdp) => /a=ice-ufrag:([^\r\n]+)/.exec(sdp)[1];
  assert.equal(ufrag(again.sdp), ufrag(first.sdp));
  await alice.streams.leaveStreamRoom(id);
  await bob.streams.leaveStreamRoom(id);
  await untilNoTransports();
});
