// Stages against the real binary: statuses, host controls, events, tokens, restart.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { startOnair } from '../support/onair.mjs';
import { connectClient, ok } from '../support/client.mjs';
import { apiCredential, signJwt, now } from '../support/tokens.mjs';

// Chromium's publishing offer (audio in mid 0): streams appear on a stage only by being published.
const publisherOffer = readFileSync(new URL('../unit/rtc/sdp/fixtures/chromium_unified_plan.sdp', import.meta.url), 'utf8');

let srv;
let opts;
before(async () => {
  opts = { dataDir: mkdtempSync(join(tmpdir(), 'onair-stage-')), apiKey: 'APIstage' + randomBytes(4).toString('hex'), apiSecret: randomBytes(32).toString('base64url') };
  srv = await startOnair(opts);
});
after(async () => {
  await srv?.stop();
  rmSync(opts.dataDir, { recursive: true, force: true });
});

async function apiOn(server, method, path, body) {
  const res = await fetch(server.url + path, { method, headers: { authorization: `Bearer ${apiCredential(server)}`, 'content-type': 'application/json' }, body: body ? JSON.stringify(body) : undefined });
  return { status: res.status, body: await res.json() };
}
const api = (method, path, body) => apiOn(srv, method, path, body);
async function participant(stageId, userId, role = 'viewer', extra = {}, server = srv) {
  const t = await apiOn(server, 'POST', `/v1/stages/${stageId}/participant-tokens`, { userId, role, ...extra });
  assert.equal(t.status, 200, JSON.stringify(t.body));
  const c = await connectClient(server, { token: t.body.token });
  const opened = await ok(c, 'stage.open', { stageId });
  return { c, opened, participantId: t.body.participantId };
}
const statusOf = async (c, stageId) => (await ok(c, 'stage.open', { stageId })).status;
// Polls `check` (async, truthy when done) every 20 ms, failing after `ms`.
async function until(check, what, ms = 5000) {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) assert.fail(`not within ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('server API: create, get, list, update, participant tokens with validation', async () => {
  const created = await api('POST', '/v1/stages', { name: 'Launch', maxPublishers: 2 });
  assert.equal(created.status, 200);
  assert.match(created.body.id, /^st_/);
  assert.equal(created.body.maxPublishers, 2);
  assert.equal((await api('GET', `/v1/stages/${created.body.id}`)).body.name, 'Launch');
  assert.ok((await api('GET', '/v1/stages')).body.stages.some((s) => s.id === created.body.id));
  assert.equal((await api('PATCH', `/v1/stages/${created.body.id}`, { name: 'Launch 2' })).body.name, 'Launch 2');
  const token = await api('POST', `/v1/stages/${created.body.id}/participant-tokens`, { userId: 'u1', capabilities: ['SUBSCRIBE'], duration: 60, attributes: { team: 'a' } });
  assert.equal(token.status, 200);
  assert.match(token.body.participantId, /^p_/);
  assert.ok(Math.abs(Date.parse(token.body.expirationTime) - (Date.now() + 3600_000)) < 5000);
  assert.equal((await api('POST', `/v1/stages/${created.body.id}/participant-tokens`, { userId: 'u1', duration: 20161 })).body.error.code, 'invalid_argument');
  assert.equal((await api('POST', `/v1/stages/${created.body.id}/participant-tokens`, { userId: 'u1', capabilities: ['FLY'] })).body.error.code, 'invalid_argument');
  assert.equal((await api('POST', '/v1/stages/st_nope/participant-tokens', { userId: 'u1' })).body.error.code, 'not_found');
  assert.equal((await api('GET', '/v1/stages/st_nope')).status, 404);
});

test('request, coalesced host updates, grant, join, kick; deny; illegal transitions conflict', async () => {
  const { body: stageRec } = await api('POST', '/v1/stages', { name: 'Show' });
  const id = stageRec.id;
  const host = await participant(id, 'host1', 'host');
  const viewer = await participant(id, 'viewer1');
  assert.equal(viewer.opened.status, 'OFF_STAGE');
  assert.deepEqual(host.opened.requests, []);
  assert.equal((await ok(viewer.c, 'stage.requestAccess', { stageId: id })).status, 'REQUESTED_TO_JOIN_STAGE');
  const update = await host.c.waitEvent((e) => e.event === 'stage.stageAccessRequestUpdate' && e.data.requests.length === 1);
  assert.equal(update.data.requests[0].userId, 'viewer1');
  assert.equal((await host.c.waitEvent((e) => e.event === 'stage.newStageRequest')).data.count, 1);
  // Viewers may not grant; a second request is a conflict.
  assert.equal((await viewer.c.request('stage.grantAccess', { stageId: id, userIds: ['viewer1'] })).error.code, 'permission');
  const again = await viewer.c.request('stage.requestAccess', { stageId: id });
  assert.equal(again.error.code, 'conflict');
  assert.match(again.error.message, /REQUESTED_TO_JOIN_STAGE/);
  await ok(host.c, 'stage.grantAccess', { stageId: id, userIds: ['viewer1'] });
  await viewer.c.waitEvent((e) => e.event === 'stage.stageRequestApproved');
  assert.equal((await viewer.c.waitEvent((e) => e.event === 'stage.stageStatusUpdate' && e.data.status === 'ACCEPTED_TO_JOIN_STAGE')).target, id);
  assert.equal((await ok(viewer.c, 'stage.join', { stageId: id })).status, 'ON_STAGE');
  assert.equal((await viewer.c.request('stage.announceStreams', { stageId: id, streams: [{ kind: 'audio', trackId: 't1' }] })).error.code, 'unknown_op');
  await ok(viewer.c, 'streams.joinStreamRoom', { streamRoomId: stageRec.streamRoomId });
  await ok(viewer.c, 'streams.publish', { streamRoomId: stageRec.streamRoomId, sdp: publisherOffer, tracks: [{ mid: '0', trackId: 't1', kind: 'audio' }] });
  const added = await host.c.waitEvent((e) => e.event === 'stage.participantStreamsAdded');
  assert.equal(added.data.userId, 'viewer1');
  assert.deepEqual(added.data.streams[0].tracks, [{ trackId: 't1', kind: 'audio' }]);
  await ok(host.c, 'stage.kick', { stageId: id, userIds: ['viewer1'] });
  await viewer.c.waitEvent((e) => e.event === 'stage.stageStatusUpdate' && e.data.status === 'OFF_STAGE');
  await host.c.waitEvent((e) => e.event === 'stage.participantStreamsRemoved');
  // Deny must deny.
  await ok(viewer.c, 'stage.requestAccess', { stageId: id });
  await ok(host.c, 'stage.denyAccess', { stageId: id, userIds: ['viewer1'] });
  await viewer.c.waitEvent((e) => e.event === 'stage.stageRequestRejected');
  assert.equal(await statusOf(viewer.c, id), 'OFF_STAGE');
  assert.equal((await viewer.c.request('stage.join', { stageId: id })).error.code, 'conflict');
  assert.equal((await viewer.c.request('stage.leave', { stageId: id })).error.code, 'conflict');
  // A host requesting goes straight to ACCEPTED.
  assert.equal((await ok(host.c, 'stage.requestAccess', { stageId: id })).status, 'ACCEPTED_TO_JOIN_STAGE');
  host.c.close();
  viewer.c.close();
});

test('two hosts granting one request at once: exactly one wins', async () => {
  const { body: s } = await api('POST', '/v1/stages', { name: 'Race' });
  const h1 = await participant(s.id, 'h1', 'host');
  const h2 = await participant(s.id, 'h2', 'host');
  const v = await participant(s.id, 'v');
  await ok(v.c, 'stage.requestAccess', { stageId: s.id });
  const [a, b] = await Promise.all([
    h1.c.request('stage.grantAccess', { stageId: s.id, userIds: ['v'] }),
    h2.c.request('stage.denyAccess', { stageId: s.id, userIds: ['v'] }),
  ]);
  const codes = [a, b].map((r) => (r.result ? 'ok' : r.error.code)).sort();
  assert.deepEqual(codes, ['conflict', 'ok']);
  for (const p of [h1, h2, v]) p.c.close();
});

test('maxPublishers caps the stage; tokens are per stage; unknown stages are not_found', async () => {
  const { body: s } = await api('POST', '/v1/stages', { name: 'Small', maxPublishers: 1 });
  const { body: other } = await api('POST', '/v1/stages', { name: 'Other' });
  const host = await participant(s.id, 'hostA', 'host');
  const v1 = await participant(s.id, 'a');
  const v2 = await participant(s.id, 'b');
  for (const v of [v1, v2]) await ok(v.c, 'stage.requestAccess', { stageId: s.id });
  await ok(host.c, 'stage.grantAccess', { stageId: s.id, userIds: ['a', 'b'] });
  await ok(v1.c, 'stage.join', { stageId: s.id });
  assert.equal((await v2.c.request('stage.join', { stageId: s.id })).error.code, 'cap_exceeded');
  assert.equal((await v1.c.request('stage.open', { stageId: other.id })).error.code, 'permission');
  const t = await api('POST', '/v1/stages/st_missing/participant-tokens', { userId: 'x' });
  assert.equal(t.body.error.code, 'not_found');
  const noPublish = await participant(s.id, 'c', 'viewer', { capabilities: ['SUBSCRIBE'] });
  await ok(noPublish.c, 'stage.requestAccess', { stageId: s.id });
  await ok(host.c, 'stage.grantAccess', { stageId: s.id, userIds: ['c'] });
  assert.equal((await noPublish.c.request('stage.join', { stageId: s.id })).error.code, 'permission');
  const participants = (await api('GET', `/v1/stages/${s.id}/participants`)).body.participants;
  assert.deepEqual(participants.find((p) => p.userId === 'a').status, 'ON_STAGE');
  for (const p of [host, v1, v2, noPublish]) p.c.close();
});

test('leaving, token expiry and server disconnects end participation; requests survive a restart', async () => {
  const { body: s } = await api('POST', '/v1/stages', { name: 'Durable' });
  const host = await participant(s.id, 'hostD', 'host');
  const v = await participant(s.id, 'vd');
  await ok(v.c, 'stage.requestAccess', { stageId: s.id });
  // A token that expires in 2 s (hand-made, same claims as participant tokens).
  const exp = now() + 2;
  const short = signJwt({ alg: 'HS256', typ: 'JWT', kid: srv.apiKey }, { iss: srv.apiKey, aud: 'onair', sub: 'brief', iat: now(), nbf: now(), exp, grants: { stage: { [s.id]: ['viewer'] } }, attributes: { participantId: 'p_brief' } }, srv.apiSecret);
  const brief = await connectClient(srv, { token: short });
  await ok(brief, 'stage.open', { stageId: s.id });
  assert.equal(await brief.closed, 4011);
  const left = await host.c.waitEvent((e) => e.event === 'stage.participantLeft' && e.data.userId === 'brief', 5000);
  assert.equal(left.data.participantId, 'p_brief');
  // The server API can disconnect a participant.
  const d = await api('POST', `/v1/stages/${s.id}/participants/${v.participantId}/disconnect`, { reason: 'moderated' });
  assert.equal(d.status, 200);
  assert.equal(await v.c.closed, 4012);
  host.c.close();
  // Restart: the stage and the pending request are still there.
  await srv.stop();
  srv = await startOnair(opts);
  const hostAgain = await participant(s.id, 'hostD', 'host');
  assert.deepEqual(hostAgain.opened.requests.map((r) => r.userId), []);  // vd was set OFF_STAGE by the disconnect
  const v2 = await participant(s.id, 'vr');
  await ok(v2.c, 'stage.requestAccess', { stageId: s.id });
  v2.c.close();
  await srv.stop();
  srv = await startOnair(opts);
  const h3 = await participant(s.id, 'hostD', 'host');
  assert.deepEqual(h3.opened.requests.map((r) => r.userId), ['vr']);
  h3.c.close();
  hostAgain.c.close();
});

test('maxParticipants caps who can open the stage', async () => {
  const { body: s } = await api('POST', '/v1/stages', { name: 'Tiny', maxParticipants: 1 });
  const first = await participant(s.id, 'only');
  const t = await api('POST', `/v1/stages/${s.id}/participant-tokens`, { userId: 'second' });
  const second = await connectClient(srv, { token: t.body.token });
  assert.equal((await second.request('stage.open', { stageId: s.id })).error.code, 'cap_exceeded');
  assert.equal((await ok(first.c, 'stage.open', { stageId: s.id })).status, 'OFF_STAGE', 'a participant already in may reopen');
  first.c.close();
  second.close();
});

test('stage.open twice on one connection: each event arrives once, and its close leaves no subscription', async () => {
  const { body: s } = await api('POST', '/v1/stages', { name: 'Twice' });
  const stats = async () => (await api('GET', `/v1/stages/${s.id}/stats`)).body;
  const host = await participant(s.id, 'hostTwice', 'host');
  const v = await participant(s.id, 'twice');
  assert.equal((await ok(v.c, 'stage.open', { stageId: s.id })).status, 'OFF_STAGE');
  assert.deepEqual(await stats(), { stageId: s.id, participants: 2, connected: 2, subscribers: 2 });
  await ok(v.c, 'stage.requestAccess', { stageId: s.id });
  await ok(host.c, 'stage.grantAccess', { stageId: s.id, userIds: ['twice'] });
  await v.c.waitEvent((e) => e.event === 'stage.stageRequestApproved');
  await ok(v.c, 'stage.join', { stageId: s.id });
  // One more round trip on the connection: whatever the server queued for it before is in.
  await ok(v.c, 'stage.participants', { stageId: s.id });
  const statuses = v.c.events.filter((e) => e.event === 'stage.stageStatusUpdate').map((e) => e.data.status);
  assert.deepEqual(statuses, ['REQUESTED_TO_JOIN_STAGE', 'ACCEPTED_TO_JOIN_STAGE', 'ON_STAGE']);
  assert.equal(v.c.events.filter((e) => e.event === 'stage.participantStatusUpdate' && e.data.status === 'ON_STAGE').length, 1);
  v.c.close();
  await until(async () => (await stats()).subscribers === 1, 'the viewer\'s subscription is gone');
  host.c.close();
  await until(async () => (await stats()).subscribers === 0, 'no subscriber is left');
  assert.equal((await stats()).connected, 0);
});

test('maxParticipants counts who is connected: people who left make room', async () => {
  const { body: s } = await api('POST', '/v1/stages', { name: 'Two seats', maxParticipants: 2 });
  const first = [await participant(s.id, 'seat1'), await participant(s.id, 'seat2')];
  const t = await api('POST', `/v1/stages/${s.id}/participant-tokens`, { userId: 'seat3' });
  const third = await connectClient(srv, { token: t.body.token });
  assert.equal((await third.request('stage.open', { stageId: s.id })).error.code, 'cap_exceeded');
  third.close();
  for (const p of first) p.c.close();
  await until(async () => (await api('GET', `/v1/stages/${s.id}/stats`)).body.connected === 0, 'both left');
  const next = [await participant(s.id, 'seat4'), await participant(s.id, 'seat5')];
  for (const p of next) assert.equal(p.opened.status, 'OFF_STAGE');
  for (const p of next) p.c.close();
});

test('departed viewers are forgotten after stage.departed_ttl_ms; a stage nobody uses comes back intact', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'onair-stage-ttl-'));
  const small = await startOnair({ dataDir: dir, apiKey: opts.apiKey, apiSecret: opts.apiSecret, args: ['--stage-departed-ttl-ms', '150'] });
  try {
    const { body: s } = await apiOn(small, 'POST', '/v1/stages', { name: 'Forgetful' });
    const listed = async () => (await apiOn(small, 'GET', `/v1/stages/${s.id}/participants`)).body.participants.map((p) => `${p.userId}:${p.status}`).sort();
    const host = await participant(s.id, 'hostF', 'host', {}, small);
    const watcher = await participant(s.id, 'watcher', 'viewer', {}, small);
    const asker = await participant(s.id, 'asker', 'viewer', {}, small);
    const stays = await participant(s.id, 'stays', 'viewer', {}, small);
    await ok(asker.c, 'stage.requestAccess', { stageId: s.id });
    watcher.c.close();
    asker.c.close();
    await until(async () => !(await listed()).some((p) => p.startsWith('watcher:')), 'the watcher is forgotten');
    assert.deepEqual(await listed(), ['asker:REQUESTED_TO_JOIN_STAGE', 'hostF:OFF_STAGE', 'stays:OFF_STAGE'], 'connected viewers stay');
    stays.c.close();
    host.c.close();
    await until(async () => (await apiOn(small, 'GET', `/v1/stages/${s.id}/stats`)).body.connected === 0, 'everyone left');
    // Nobody connected: the stage may leave memory; opening it again finds it as it was.
    const again = await participant(s.id, 'hostF', 'host', {}, small);
    assert.equal(again.opened.stage.name, 'Forgetful');
    assert.deepEqual(again.opened.requests.map((r) => r.userId), ['asker']);
    again.c.close();
  } finally {
    await small.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
