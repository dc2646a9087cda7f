// Stages through the SDK against a real `onair serve` (build/onair, or $ONAIR_BIN), written to
// docs/protocol.md and docs/http-api.md ("Stages"): the server SDK makes the stages and the
// participant tokens, the client SDK does the rest.
import { test as baseTest, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { WebSocket } from 'ws';
import { startOnair, onairBinary } from '../../../tests/support/onair.mjs';
import { connect, OnairError } from '../dist/client/index.js';
import { OnairServer } from '../dist/server/index.js';

const test = (name, fn) => baseTest(name, { timeout: 15_000 }, fn);
const FAST = { minDelayMs: 5, maxDelayMs: 50 };
// Chromium's publishing offer (audio in mid 0), from the server's SDP fixtures.
const publisherOffer = readFileSync(new URL('../../../tests/unit/rtc/sdp/fixtures/chromium_unified_plan.sdp', import.meta.url), 'utf8');

let srv;
let api;
const clients = [];

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

/** Connects `userId` to `stageId` with a participant token; returns the client and its Stage. */
async function participant(stageId, userId, { role = 'viewer', capabilities, reconnect = false } = {}) {
  const minted = await api.stages.createParticipantToken({ stageId, userId, role, ...(capabilities ? { capabilities } : {}) });
  const client = await connect({ url: srv.url, WebSocket, token: minted.token, reconnect: reconnect ? FAST : false });
  clients.push(client);
  return { client, stage: client.stage(stageId), participantId: minted.participantId };
}

/** Resolves with the first event `name` on `stage` whose payload passes `predicate`. */
function nextEvent(stage, name, predicate = () => true, timeoutMs = 5000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { off(); reject(new Error(`no ${name} within ${timeoutMs} ms`)); }, timeoutMs);
    const off = stage.on(name, (data) => {
      if (!predicate(data)) return;
      clearTimeout(timer);
      off();
      resolve(data);
    });
  });
}

async function until(predicate, timeoutMs = 5000) {
  const started = Date.now();
  while (!predicate()) {
    if (Date.now() - started > timeoutMs) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function rejectsWith(promise, code, message) {
  await assert.rejects(promise, (err) => {
    assert.ok(err instanceof OnairError, `expected OnairError, got ${err}`);
    assert.equal(err.code, code, err.message);
    if (message) assert.match(err.message, message);
    return true;
  });
}

test('server.stages: create, get, list, update, tokens, participants, delete', async () => {
  const created = await api.stages.create({ name: 'SDK stage', maxPublishers: 3 });
  assert.match(created.id, /^st_/);
  assert.equal(created.maxPublishers, 3);
  assert.equal((await api.stages.get(created.id)).name, 'SDK stage');
  assert.ok((await api.stages.list()).some((s) => s.id === created.id));
  assert.equal((await api.stages.update(created.id, { name: 'Renamed' })).name, 'Renamed');
  const minted = await api.stages.createParticipantToken({ stageId: created.id, userId: 'u1', duration: 60, attributes: { team: 'a' } });
  assert.match(minted.participantId, /^p_/);
  assert.equal(minted.userId, 'u1');
  assert.ok(Math.abs(Date.parse(minted.expirationTime) - (Date.now() + 3600_000)) < 5000);
  await rejectsWith(api.stages.createParticipantToken({ stageId: created.id, userId: 'u1', duration: 20161 }), 'invalid_argument');
  await rejectsWith(api.stages.get('st_nope'), 'not_found');
  await rejectsWith(api.stages.createParticipantToken({ stageId: 'st_nope', userId: 'u1' }), 'not_found');
  const { stage } = await participant(created.id, 'u2');
  const opened = await stage.open();
  assert.equal(opened.status, 'OFF_STAGE');
  const listed = await api.stages.listParticipants(created.id);
  assert.equal(listed.find((p) => p.userId === 'u2').connected, true);
  assert.deepEqual(await api.stages.delete(created.id), { ok: true });
  await rejectsWith(api.stages.get(created.id), 'not_found');
});

test('request, coalesced host update, grant, join, streams, kick; then the deny path', async () => {
  const { id } = await api.stages.create({ name: 'Show' });
  const host = await participant(id, 'host1', { role: 'host' });
  const viewer = await participant(id, 'viewer1');
  await host.stage.open();
  assert.equal(host.stage.isHost, true);
  assert.deepEqual(host.stage.requests, []);
  const requests = [];
  host.stage.on('stageAccessRequestUpdate', (d) => requests.push(d.requests.map((r) => r.userId)));
  const counted = nextEvent(host.stage, 'newStageRequest');
  const updated = nextEvent(host.stage, 'stageAccessRequestUpdate', (d) => d.requests.length === 1);

  // The first call opens the stage by itself.
  assert.equal((await viewer.stage.requestAccess()).status, 'REQUESTED_TO_JOIN_STAGE');
  assert.equal(viewer.stage.status, 'REQUESTED_TO_JOIN_STAGE');
  assert.equal((await updated).requests[0].userId, 'viewer1');
  assert.equal((await counted).count, 1);
  assert.deepEqual(host.stage.requests.map((r) => r.userId), ['viewer1']);

  const approved = nextEvent(viewer.stage, 'stageRequestApproved');
  const accepted = nextEvent(viewer.stage, 'stageStatusUpdate', (d) => d.status === 'ACCEPTED_TO_JOIN_STAGE');
  await host.stage.grantAccess(['viewer1']);
  await approved;
  await accepted;
  assert.equal(viewer.stage.status, 'ACCEPTED_TO_JOIN_STAGE');
  await until(() => host.stage.requests.length === 0);

  assert.equal((await viewer.stage.join()).status, 'ON_STAGE');
  assert.equal(viewer.stage.status, 'ON_STAGE');
  // Streams appear by being published in the stage's media room.
  const added = nextEvent(host.stage, 'participantStreamsAdded');
  assert.match(viewer.stage.streamRoomId, /^sr_/);
  await viewer.client.streams.joinStreamRoom(viewer.stage.streamRoomId);
  const { streamId } = await viewer.client.request('streams.publish', { streamRoomId: viewer.stage.streamRoomId, sdp: publisherOffer,
    tracks: [{ mid: '0', trackId: 't1', kind: 'audio' }] });
  assert.deepEqual(await added, { participantId: viewer.participantId, userId: 'viewer1', streams: [{ streamId, tracks: [{ trackId: 't1', kind: 'audio' }] }] });
  await host.stage.setSubscribeType(viewer.participantId, 'AUDIO_ONLY');
  const onStage = (await host.stage.participants()).find((p) => p.userId === 'viewer1');
  assert.equal(onStage.status, 'ON_STAGE');
  assert.deepEqual(onStage.streams.map((s) => s.streamId), [streamId]);

  const removed = nextEvent(host.stage, 'participantStreamsRemoved');
  const kicked = nextEvent(viewer.stage, 'stageStatusUpdate', (d) => d.status === 'OFF_STAGE');
  await host.stage.kick(['viewer1']);
  await kicked;
  await removed;
  assert.equal(viewer.stage.status, 'OFF_STAGE');

  // Deny: the viewer hears the rejection and is OFF_STAGE.
  await viewer.stage.requestAccess();
  await until(() => host.stage.requests.length === 1);
  const rejected = nextEvent(viewer.stage, 'stageRequestRejected');
  await host.stage.denyAccess(['viewer1']);
  await rejected;
  await until(() => viewer.stage.status === 'OFF_STAGE');
  assert.equal((await viewer.stage.open()).status, 'OFF_STAGE');
  assert.ok(requests.length >= 3, `coalesced updates: ${JSON.stringify(requests)}`);

  // A host asking goes straight to ACCEPTED.
  assert.equal((await host.stage.requestAccess()).status, 'ACCEPTED_TO_JOIN_STAGE');
});

test('illegal transitions reject with conflict naming the status; viewers may not grant', async () => {
  const { id } = await api.stages.create({ name: 'Rules' });
  const host = await participant(id, 'hostR', { role: 'host' });
  const viewer = await participant(id, 'vr');
  await rejectsWith(viewer.stage.join(), 'conflict', /OFF_STAGE/);
  await rejectsWith(viewer.stage.leave(), 'conflict');
  await rejectsWith(viewer.stage.cancelRequestAccess(), 'conflict');
  await viewer.stage.requestAccess();
  await rejectsWith(viewer.stage.requestAccess(), 'conflict', /REQUESTED_TO_JOIN_STAGE/);
  await rejectsWith(viewer.stage.grantAccess(['vr']), 'permission');
  await rejectsWith(viewer.stage.kick(['hostR']), 'permission');
  // Granting someone who did not ask changes nothing, not even the one who did.
  await host.stage.open();
  await rejectsWith(host.stage.grantAccess(['vr', 'hostR']), 'conflict');
  assert.equal((await viewer.stage.open()).status, 'REQUESTED_TO_JOIN_STAGE');
  await viewer.stage.cancelRequestAccess();
  assert.equal(viewer.stage.status, 'OFF_STAGE');
  // A token for another stage does not open this one.
  const { id: otherId } = await api.stages.create({ name: 'Other' });
  await rejectsWith(viewer.client.stage(otherId).open(), 'permission');
});

test('maxPublishers caps the stage with cap_exceeded; joining needs PUBLISH', async () => {
  const { id } = await api.stages.create({ name: 'Small', maxPublishers: 1 });
  const host = await participant(id, 'hostS', { role: 'host' });
  const a = await participant(id, 'a');
  const b = await participant(id, 'b');
  const c = await participant(id, 'c', { capabilities: ['SUBSCRIBE'] });
  for (const p of [a, b, c]) await p.stage.requestAccess();
  await host.stage.grantAccess(['a', 'b', 'c']);
  await a.stage.join();
  await until(() => b.stage.status === 'ACCEPTED_TO_JOIN_STAGE');
  await rejectsWith(b.stage.join(), 'cap_exceeded');
  assert.equal(b.stage.status, 'ACCEPTED_TO_JOIN_STAGE');
  await rejectsWith(c.stage.join(), 'permission');
  await c.client.streams.joinStreamRoom(c.stage.streamRoomId);
  await rejectsWith(c.client.request('streams.publish', { streamRoomId: c.stage.streamRoomId, sdp: publisherOffer,
    tracks: [{ mid: '0', trackId: 'x', kind: 'audio' }] }), 'permission');
  // Once a leaves, b fits.
  await a.stage.leave();
  assert.equal((await b.stage.join()).status, 'ON_STAGE');
});

test('a server disconnect sends the participant OFF_STAGE; the reconnected client opens the stage again', async () => {
  const { id } = await api.stages.create({ name: 'Moderated' });
  const host = await participant(id, 'hostM', { role: 'host' });
  const v = await participant(id, 'vm', { reconnect: true });
  await v.stage.requestAccess();
  await host.stage.grantAccess(['vm']);
  await until(() => v.stage.status === 'ACCEPTED_TO_JOIN_STAGE');
  await v.stage.join();
  const closed = new Promise((r) => v.client.once('disconnected', r));
  const reconnected = new Promise((r) => v.client.once('connected', r));
  const off = nextEvent(v.stage, 'stageStatusUpdate', (d) => d.status === 'OFF_STAGE');
  await api.stages.disconnectParticipant(id, v.participantId, 'moderated');
  assert.equal((await closed).code, 4012);
  await reconnected;
  await off;
  assert.equal(v.stage.status, 'OFF_STAGE');
  // Re-opened: events reach the stage again without an explicit open().
  await v.stage.requestAccess();
  const approved = nextEvent(v.stage, 'stageRequestApproved');
  await host.stage.grantAccess(['vm']);
  await approved;
  await until(() => v.stage.status === 'ACCEPTED_TO_JOIN_STAGE');
});
