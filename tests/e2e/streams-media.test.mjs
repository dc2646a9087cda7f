// Stream media in Chromium through the SDK (issue 13): page A publishes camera + microphone (fake
// devices), page B subscribes and decodes; a third page subscribing later decodes a frame; A
// drops its microphone (updateStream) and B's audio track ends, the video staying; A unpublishes
// and B hears it and its tracks end. Each page is onair's /healthz document, which
// imports the browser build of the SDK from /sdk/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startOnair } from '../support/onair.mjs';
import { launchBrowser, WEBRTC_ARGS } from '../support/browser.mjs';
import { openStreamPage, publishFakeDevices, inbound, connectionStates, waitFor } from '../support/streamPages.mjs';
import { OnairServer } from '../../sdk/js/dist/server/index.js';

let srv;
let api;
let browser;
let roomId;
const pages = {};

before(async () => {
  srv = await startOnair();
  api = new OnairServer({ url: srv.url, apiKey: srv.apiKey, apiSecret: srv.apiSecret });
  browser = await launchBrowser(WEBRTC_ARGS);
  roomId = await api.streams.createStreamRoom('ctx-e2e', ['ana', 'ben', 'cleo'], [], new Uint8Array(), new Uint8Array());
});

after(async () => {
  await browser?.close();
  await srv?.stop();
});

async function openPage(userId) {
  pages[userId] = await openStreamPage({ browser, srv, api, userId, roomId, context: 'ctx-e2e' });
  return pages[userId].page;
}

let streamId;

test('A publishes camera and microphone; B subscribes; both peer connections connect (ICE + DTLS)', async () => {
  const a = await openPage('ana');
  const b = await openPage('ben');
  const published = await publishFakeDevices(a, roomId);
  streamId = published.streamId;
  assert.match(streamId, /^st_/);
  assert.deepEqual(published.tracks.map((t) => t.kind).sort(), ['audio', 'video']);

  await waitFor('streamPublished at B', 5000, () => b.evaluate((id) => window.events.some((e) => e.name === 'streamPublished' && e.data.streamId === id), streamId));
  const listed = await b.evaluate((roomId) => window.client.streams.listStreams(roomId), roomId);
  assert.equal(listed.length, 1);
  assert.equal(listed[0].userId, 'ana');
  await b.evaluate(({ roomId, streamId }) => window.client.streams.subscribeToRemoteStreams(roomId, [{ streamId }]), { roomId, streamId });
  const remote = await b.evaluate(() => window.remote.map((e) => ({ kind: e.kind, streamId: e.streamId, state: e.track.readyState })));
  assert.deepEqual(remote.map((r) => r.kind).sort(), ['audio', 'video']);
  assert.ok(remote.every((r) => r.streamId === streamId && r.state === 'live'));

  await waitFor('A connected', 10_000, async () => (await connectionStates(a)).every((s) => s === 'connected') || connectionStates(a));
  await waitFor('B connected', 10_000, async () => (await connectionStates(b)).every((s) => s === 'connected') || connectionStates(b));
  assert.ok((await a.evaluate(() => window.states)).includes('connected'), 'publishStream onState heard connected');
});

test('media: B decodes video and receives audio; a later subscriber decodes a frame at once', async () => {
  const b = pages.ben.page;
  await waitFor('B: framesDecoded rising and audio packets', 10_000, async () => {
    const first = await inbound(b);
    await new Promise((r) => setTimeout(r, 300));
    const second = await inbound(b);
    return (second.framesDecoded > first.framesDecoded && second.audioPackets > 0) || second;
  });

  const c = await openPage('cleo');
  await c.evaluate(({ roomId, streamId }) => window.client.streams.subscribeToRemoteStreams(roomId, [{ streamId }]), { roomId, streamId });
  await waitFor('C decodes a frame', 2000, async () => (await inbound(c)).framesDecoded > 0 || inbound(c));
});

test('updateStream without the microphone ends B\'s audio track; unpublish ends the rest', async () => {
  const b = pages.ben.page;
  // updateStream without the microphone: B hears streamUpdated and its audio track ends.
  await pages.ana.page.evaluate(async () => {
    await window.client.streams.removeStreamTrack(window.handle, window.media.getAudioTracks()[0]);
    await window.client.streams.updateStream(window.handle);
  });
  await waitFor('streamUpdated (video only) at B', 5000, () => b.evaluate((id) => window.events.some((e) => e.name === 'streamUpdated' &&
    e.data.streamId === id && e.data.tracks.length === 1 && e.data.tracks[0].kind === 'video'), streamId));
  await waitFor('B\'s audio track ended, video live', 5000, () => b.evaluate(() =>
    window.remote.every((e) => e.track.readyState === (e.kind === 'audio' ? 'ended' : 'live')) || window.remote.map((e) => [e.kind, e.track.readyState])));

  await pages.ana.page.evaluate(() => window.client.streams.unpublishStream(window.handle));
  await waitFor('streamUnpublished at B', 5000, () => b.evaluate((id) => window.events.some((e) => e.name === 'streamUnpublished' && e.data.streamId === id), streamId));
  await waitFor('B\'s remote tracks ended', 5000, () => b.evaluate(() => window.remote.every((e) => e.track.readyState === 'ended')));
  for (const { errors } of Object.values(pages)) assert.deepEqual(errors, []);
});
