// Stage and live media against the real binary (no browser): a stage's streamRoomId is a media
// room whose use the stage decides (statuses, capabilities, subscribe types), stage events come
// from real publishes, and a live consumer attached with the webrtc transport may subscribe in the
// room the transport names while it holds its slot. Offers come from the SDP fixtures, as in
// streams-media.test.mjs; media itself is tested in Chromium (tests/e2e/).
import { test as baseTest, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { WebSocket } from 'ws';
import { collect, nextEvent, publisherOffer, rejects, subscriberOffer, until } from '../support/streams.mjs';
import { startOnair } from '../support/onair.mjs';
import { connect } from '../../sdk/js/dist/client/index.js';
import { OnairServer } from '../../sdk/js/dist/server/index.js';

const test = (name, fn) => baseTest(name, { timeout: 20_000 }, fn);
// Offers (publisherOffer: audio mid 0, simulcast video mid 1, data mid 2) from tests/support/streams.mjs.
const MIC = { mid: '0', trackId: 'mic', kind: 'audio' };
const CAM = { mid: '1', trackId: 'cam', kind: 'video' };

let srv;
let api;
const clients = [];
let n = 0;

before(async () => {
  srv = await startOnair();
  api = new OnairServer({ url: srv.url, apiKey: srv.apiKey, apiSecret: srv.apiSecret });
});

after(async () => {
  for (const c of clients) await c.close();
  if (srv) await srv.stop();
});

async function connected(token) {
  const client = await connect({ url: srv.url, WebSocket, token, reconnect: false });
  clients.push(client);
  return client;
}

/** A participant of `stageId` that opened the stage: {client, stage, participantId}. */
async function participant(stageId, userId, { role = 'viewer', capabilities, open = true } = {}) {
  const minted = await api.stages.createParticipantToken({ stageId, userId, role, ...(capabilities ? { capabilities } : {}) });
  const client = await connected(minted.token);
  const stage = client.stage(stageId);
  if (open) await stage.open();
  return { client, stage, participantId: minted.participantId, userId };
}

const publish = (client, streamRoomId, tracks = [MIC]) => client.request('streams.publish', { streamRoomId, sdp: publisherOffer, tracks });
const subscribe = (client, streamRoomId, subscriptions) => client.request('streams.subscribe', { streamRoomId, sdp: subscriberOffer, subscriptions });
const sectionOf = (sdp, mid) => sdp.split('m=').slice(1).find((m) => m.includes(`a=mid:${mid}\r\n`));

/** A host ON_STAGE in a new stage: {id, room, host}. */
async function stageWithHostOnStage(name) {
  const record = await api.stages.create({ name });
  const host = await participant(record.id, `host-${++n}`, { role: 'host' });
  await host.stage.requestAccess();
  await host.stage.join();
  return { id: record.id, room: record.streamRoomId, host };
}

test('the stage record names its media room, and the SDK stage exposes it', async () => {
  const record = await api.stages.create({ name: 'Named' });
  assert.equal(record.streamRoomId, `sr_${record.id.slice(3)}`);
  const viewer = await participant(record.id, 'named-viewer');
  assert.equal(viewer.stage.streamRoomId, record.streamRoomId);
});

test('joining the media room needs the stage opened on that connection', async () => {
  const { id, room } = await stageWithHostOnStage('Door');
  const closed = await participant(id, 'not-opened', { open: false });
  await rejects(closed.client.streams.joinStreamRoom(room), 'permission', /open stage/);
  await closed.stage.open();
  const joined = await closed.client.streams.joinStreamRoom(room);
  assert.equal(joined.streamRoomId, room);
  // A token of another stage, opened there, is no participant of this one.
  const other = await api.stages.create({ name: 'Elsewhere' });
  const stranger = await participant(other.id, 'stranger');
  await rejects(stranger.client.streams.joinStreamRoom(room), 'permission', /open stage/);
  // A room id no stage and no record has is not found.
  await rejects(stranger.client.streams.joinStreamRoom('sr_nosuchstage'), 'not_found');
});

test('only ON_STAGE with PUBLISH publishes; the stage hears participantStreamsAdded and lists the streams; kick ends them', async () => {
  const { id, room, host } = await stageWithHostOnStage('Show');
  const viewer = await participant(id, `viewer-${++n}`);
  await host.client.streams.joinStreamRoom(room);
  await viewer.client.streams.joinStreamRoom(room);
  await rejects(publish(viewer.client, room), 'permission', /only participants ON_STAGE with PUBLISH may publish/);

  await viewer.stage.requestAccess();
  await host.stage.grantAccess([viewer.userId]);
  await until(() => viewer.stage.status === 'ACCEPTED_TO_JOIN_STAGE', 'accepted');
  await rejects(publish(viewer.client, room), 'permission', /ON_STAGE/);
  await viewer.stage.join();
  const addedAtHost = nextEvent(host.stage, 'participantStreamsAdded');
  const addedAtViewer = nextEvent(viewer.stage, 'participantStreamsAdded');
  const published = await publish(viewer.client, room, [MIC, CAM]);
  const expected = { participantId: viewer.participantId, userId: viewer.userId,
    streams: [{ streamId: published.streamId, tracks: [{ trackId: 'mic', kind: 'audio' }, { trackId: 'cam', kind: 'video' }] }] };
  assert.deepEqual(await addedAtHost, expected);
  assert.deepEqual(await addedAtViewer, expected);
  const listed = (await host.stage.participants()).find((p) => p.userId === viewer.userId);
  assert.deepEqual(listed.streams, expected.streams);

  const unpublished = collect(host.client, 'streamUnpublished');
  const removed = nextEvent(host.stage, 'participantStreamsRemoved');
  await host.stage.kick([viewer.userId]);
  assert.deepEqual(await removed, expected);
  await until(() => unpublished.some((e) => e.streamId === published.streamId), 'streamUnpublished after the kick');
  assert.deepEqual(await host.client.streams.listStreams(room), []);
  assert.deepEqual((await host.stage.participants()).find((p) => p.userId === viewer.userId).streams, []);
  // Kicked: OFF_STAGE again, so no publishing; the viewer is still in the room.
  await rejects(publish(viewer.client, room), 'permission', /ON_STAGE/);
  assert.deepEqual(await viewer.client.streams.listStreams(room), []);
});

test('leaving the stage, unpublishing and closing the connection each end the streams', async () => {
  const { room, host } = await stageWithHostOnStage('Ends');
  const watcher = await participant(host.stage.id, `watcher-${++n}`);
  await watcher.client.streams.joinStreamRoom(room);
  await host.client.streams.joinStreamRoom(room);
  const removedEvents = [];
  watcher.stage.on('participantStreamsRemoved', (e) => removedEvents.push(e));
  const unpublished = collect(watcher.client, 'streamUnpublished');

  const first = await publish(host.client, room);
  await host.stage.leave();
  await until(() => removedEvents.some((e) => e.streams[0].streamId === first.streamId), 'removed after stage.leave');
  await until(() => unpublished.some((e) => e.streamId === first.streamId), 'streamUnpublished after stage.leave');

  await host.stage.requestAccess();
  await host.stage.join();
  const second = await publish(host.client, room);
  await host.client.request('streams.unpublish', { streamRoomId: room, streamId: second.streamId });
  await until(() => removedEvents.some((e) => e.streams[0].streamId === second.streamId), 'removed after unpublish');

  const third = await publish(host.client, room);
  await host.client.close();
  await until(() => removedEvents.some((e) => e.streams[0].streamId === third.streamId), 'removed after the connection closed');
  await until(() => unpublished.some((e) => e.streamId === third.streamId), 'streamUnpublished after close');

  // The server API's disconnect, of a participant on stage and publishing.
  const guest = await participant(host.stage.id, `guest-${++n}`);
  await guest.stage.requestAccess();
  const hostAgain = await participant(host.stage.id, host.userId, { role: 'host' });
  await hostAgain.stage.grantAccess([guest.userId]);
  await until(() => guest.stage.status === 'ACCEPTED_TO_JOIN_STAGE', 'guest accepted');
  await guest.stage.join();
  await guest.client.streams.joinStreamRoom(room);
  const fourth = await publish(guest.client, room);
  await api.stages.disconnectParticipant(host.stage.id, guest.participantId, 'moderated');
  await until(() => removedEvents.some((e) => e.streams[0].streamId === fourth.streamId), 'removed after the server API disconnect');
  await until(() => unpublished.some((e) => e.streamId === fourth.streamId), 'streamUnpublished after the disconnect');
  assert.equal(removedEvents.length, 4);
});

test('a token without PUBLISH cannot publish, one without SUBSCRIBE cannot subscribe', async () => {
  const { id, room, host } = await stageWithHostOnStage('Caps');
  const mute = await participant(id, `mute-${++n}`, { role: 'host', capabilities: ['SUBSCRIBE'] });
  await mute.stage.requestAccess();
  await rejects(mute.stage.join(), 'permission', /PUBLISH/);
  await mute.client.streams.joinStreamRoom(room);
  await rejects(publish(mute.client, room), 'permission', /PUBLISH/);
  await host.client.streams.joinStreamRoom(room);
  const stream = await publish(host.client, room);
  const deaf = await participant(id, `deaf-${++n}`, { capabilities: ['PUBLISH'] });
  await deaf.client.streams.joinStreamRoom(room);
  await rejects(subscribe(deaf.client, room, [{ mid: '0', streamId: stream.streamId, trackId: 'mic' }]), 'permission', /SUBSCRIBE/);
  const ok = await subscribe(mute.client, room, [{ mid: '0', streamId: stream.streamId, trackId: 'mic' }]);
  assert.match(sectionOf(ok.sdp, '0'), /a=sendonly/);
});

test('subscribe types: AUDIO_ONLY rejects video with subscribe_type, NONE everything; a stricter type stops what flows', async () => {
  const { id, room, host } = await stageWithHostOnStage('Types');
  await host.client.streams.joinStreamRoom(room);
  const stream = await publish(host.client, room, [MIC, CAM]);
  const both = [{ mid: '0', streamId: stream.streamId, trackId: 'mic' }, { mid: '1', streamId: stream.streamId, trackId: 'cam' }];

  const listener = await participant(id, `listener-${++n}`);
  await listener.client.streams.joinStreamRoom(room);
  await listener.stage.setSubscribeType(host.participantId, 'AUDIO_ONLY');
  const audioOnly = await subscribe(listener.client, room, both);
  assert.deepEqual(audioOnly.rejected, [{ mid: '1', reason: 'subscribe_type' }]);
  assert.match(sectionOf(audioOnly.sdp, '0'), /a=sendonly/);
  assert.match(sectionOf(audioOnly.sdp, '1'), /a=inactive/);

  await listener.stage.setSubscribeType(host.participantId, 'NONE');
  const none = await subscribe(listener.client, room, both);
  assert.deepEqual(none.rejected, [{ mid: '0', reason: 'subscribe_type' }, { mid: '1', reason: 'subscribe_type' }]);

  // Everything again; then NONE stops it at once: a later offer that asks for nothing finds the
  // sections empty (while they still flow, such an offer keeps their tracks).
  await listener.stage.setSubscribeType(host.participantId, 'AUDIO_VIDEO');
  const all = await subscribe(listener.client, room, both);
  assert.deepEqual(all.rejected, []);
  const kept = await subscribe(listener.client, room, []);
  assert.deepEqual(kept.rejected, [], 'open sections keep their tracks');
  await listener.stage.setSubscribeType(host.participantId, 'AUDIO_ONLY');
  const after = await subscribe(listener.client, room, []);
  assert.deepEqual(after.rejected.map((r) => r.mid), ['1'], 'the video consumer was stopped by the stricter type');
  assert.match(sectionOf(after.sdp, '0'), /a=sendonly/);
});

test('a live consumer attached with webrtc subscribes in the signaling room, never publishes, joins no other room, and is let go on detach', async () => {
  const context = `ctx-live-${process.pid}`;
  const room = await api.streams.createStreamRoom(context, ['producer'], [], new Uint8Array(), new Uint8Array());
  const otherRoom = await api.streams.createStreamRoom(context, ['producer'], [], new Uint8Array(), new Uint8Array());
  const liveId = `content:${process.pid}-${++n}`;
  const producer = await connected((await api.createToken({ userId: 'producer', ttl: 600,
    grants: [`stream:${context}:join,publish,subscribe`, 'live:content:*:publish'] })).token);
  await producer.request('live.publish', { liveId, transports: [{ kind: 'webrtc', signalingChannelId: room }] });
  await producer.streams.joinStreamRoom(room);
  const stream = await publish(producer, room);

  const viewer = await connected((await api.createToken({ userId: 'viewer', ttl: 600, grants: ['live:content:*:attach'] })).token);
  await rejects(viewer.streams.joinStreamRoom(room), 'permission', /does not allow join/);
  const handle = await viewer.request('live.attach', { liveId, transports: ['webrtc'] });
  assert.deepEqual(handle.transport, { kind: 'webrtc', signalingChannelId: room });
  await rejects(viewer.streams.joinStreamRoom(otherRoom), 'permission', /does not allow join/);
  const joined = await viewer.streams.joinStreamRoom(room);
  assert.deepEqual(joined.members.sort(), ['producer', 'viewer']);
  await rejects(publish(viewer, room), 'permission', /only subscribes/);
  const s = await subscribe(viewer, room, [{ mid: '0', streamId: stream.streamId, trackId: 'mic' }]);
  assert.match(sectionOf(s.sdp, '0'), /a=sendonly/);
  assert.deepEqual((await viewer.streams.listStreams(room)).map((x) => x.streamId), [stream.streamId]);

  const left = collect(producer, 'streamMemberLeft');
  await viewer.request('live.release', { attachId: handle.attachId });
  await until(() => left.some((e) => e.userId === 'viewer'), 'the viewer let go from the room');
  await rejects(viewer.streams.listStreams(room), 'permission', /join stream room/);
  await rejects(viewer.streams.joinStreamRoom(room), 'permission', /does not allow join/);

  // The broadcast ending lets its webrtc viewers go too.
  await viewer.request('live.attach', { liveId, transports: ['webrtc'] });
  await viewer.streams.joinStreamRoom(room);
  const before = left.length;
  await producer.request('live.unpublish', { liveId });
  await until(() => left.length > before && left.at(-1).userId === 'viewer', 'the viewer let go when the broadcast ended');
  await rejects(viewer.streams.joinStreamRoom(room), 'permission', /does not allow join/);
});

test("a stage's media room can be a live broadcast's webrtc room: its live viewers subscribe without opening the stage", async () => {
  const { id, room, host } = await stageWithHostOnStage('Broadcast');
  await host.client.streams.joinStreamRoom(room);
  const stream = await publish(host.client, room);
  const viewer = await connected((await api.createToken({ userId: 'stage-watcher', ttl: 600, grants: ['live:content:*:attach'] })).token);
  // A producer who is no member of the room cannot lead its viewers into it.
  const intruderLive = `content:${process.pid}-${++n}`;
  const intruder = await connected((await api.createToken({ userId: 'stage-intruder', ttl: 600, grants: ['live:content:*:publish'] })).token);
  await intruder.request('live.publish', { liveId: intruderLive, transports: [{ kind: 'webrtc', signalingChannelId: room }] });
  const intruded = await viewer.request('live.attach', { liveId: intruderLive, transports: ['webrtc'] });
  await rejects(viewer.streams.joinStreamRoom(room), 'permission', /has not joined stream room/);
  await viewer.request('live.release', { attachId: intruded.attachId });

  // Nor can a stage participant who only joined the media room (not on stage: it publishes
  // nothing there) lead viewers in.
  const { client: bystander, userId: bystanderId } = await participant(id, `bystander-${++n}`, { capabilities: ['PUBLISH'] });
  await bystander.streams.joinStreamRoom(room);
  const bystanderLive = `content:${process.pid}-${++n}`;
  const bystanderProducer = await connected((await api.createToken({ userId: bystanderId, ttl: 600, grants: ['live:content:*:publish'] })).token);
  await bystanderProducer.request('live.publish', { liveId: bystanderLive, transports: [{ kind: 'webrtc', signalingChannelId: room }] });
  const led = await viewer.request('live.attach', { liveId: bystanderLive, transports: ['webrtc'] });
  await rejects(viewer.streams.joinStreamRoom(room), 'permission', /has not joined stream room/);
  await viewer.request('live.release', { attachId: led.attachId });

  // The host (on stage, publishing in the room) broadcasts from another connection.
  const liveId = `content:${process.pid}-${++n}`;
  const producer = await connected((await api.createToken({ userId: host.userId, ttl: 600, grants: ['live:content:*:publish'] })).token);
  await producer.request('live.publish', { liveId, transports: [{ kind: 'webrtc', signalingChannelId: room }] });
  await rejects(viewer.streams.joinStreamRoom(room), 'permission', /open stage/);
  const handle = await viewer.request('live.attach', { liveId, transports: ['webrtc'] });
  await viewer.streams.joinStreamRoom(room);
  const s = await subscribe(viewer, room, [{ mid: '0', streamId: stream.streamId, trackId: 'mic' }]);
  assert.match(sectionOf(s.sdp, '0'), /a=sendonly/);
  await rejects(publish(viewer, room), 'permission', /only subscribes/);
  const left = collect(host.client, 'streamMemberLeft');
  await viewer.request('live.release', { attachId: handle.attachId });
  await until(() => left.some((e) => e.userId === 'stage-watcher'), 'the viewer let go from the room');
  await rejects(viewer.streams.listStreams(room), 'permission', /join stream room/);
});
