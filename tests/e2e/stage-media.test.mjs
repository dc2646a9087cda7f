// Stage media in Chromium through the SDK (issue 13): a host goes on stage and publishes camera +
// microphone (fake devices) in the stage's streamRoomId; a viewer that opened the stage hears
// participantStreamsAdded, subscribes to those streams and decodes video. Each page is onair's
// /healthz document, which imports the browser build of the SDK from /sdk/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startOnair } from '../support/onair.mjs';
import { launchBrowser, openOnairPage, waitFor, WEBRTC_ARGS } from '../support/browser.mjs';
import { OnairServer } from '../../sdk/js/dist/server/index.js';

let srv;
let api;
let browser;
let stageId;
const pages = [];

before(async () => {
  srv = await startOnair();
  api = new OnairServer({ url: srv.url, apiKey: srv.apiKey, apiSecret: srv.apiSecret });
  browser = await launchBrowser(WEBRTC_ARGS);
  stageId = (await api.stages.create({ name: 'E2E stage' })).id;
});

after(async () => {
  await browser?.close();
  await srv?.stop();
});

// A page whose client opened the stage and joined its media room; its peer connections are kept
// in window.pcs, its stage events in window.stageEvents.
async function openPage(userId, role) {
  const { token } = await api.stages.createParticipantToken({ stageId, userId, role });
  const { page, errors } = await openOnairPage(browser, srv.url);
  await page.evaluate(async ({ url, token, stageId }) => {
    const { connect } = await import('/sdk/client/index.js');
    window.client = await connect({ url, token });
    window.stage = window.client.stage(stageId);
    window.stageEvents = [];
    window.stage.on('participantStreamsAdded', (data) => window.stageEvents.push(data));
    await window.stage.open();
    window.remote = [];
    window.client.streams.addRemoteStreamListener({ streamRoomId: window.stage.streamRoomId, onRemoteStreamTrack: (e) => window.remote.push(e) });
    await window.client.streams.joinStreamRoom(window.stage.streamRoomId);
  }, { url: srv.url, token, stageId });
  pages.push({ page, errors });
  return page;
}

function framesDecoded(page) {
  return page.evaluate(async () => {
    let frames = 0;
    for (const pc of window.pcs) {
      (await pc.getStats()).forEach((s) => {
        if (s.type === 'inbound-rtp' && s.kind === 'video') frames += s.framesDecoded ?? 0;
      });
    }
    return frames;
  });
}

test('a host on stage publishes in the stage\'s media room; a viewer hears participantStreamsAdded, subscribes and decodes video', async () => {
  const host = await openPage('host-e2e', 'host');
  const viewer = await openPage('viewer-e2e', 'viewer');
  const published = await host.evaluate(async () => {
    await window.stage.requestAccess();
    await window.stage.join();
    const media = await navigator.mediaDevices.getUserMedia({ audio: true, video: { width: 320, height: 240 } });
    const handle = await window.client.streams.createStream(window.stage.streamRoomId);
    for (const track of media.getTracks()) await window.client.streams.addStreamTrack(handle, { track });
    return window.client.streams.publishStream(handle);
  });
  await waitFor('participantStreamsAdded at the viewer', 5000, () => viewer.evaluate((id) =>
    window.stageEvents.some((e) => e.userId === 'host-e2e' && e.streams.some((s) => s.streamId === id)), published.streamId));
  await viewer.evaluate(async () => {
    const streams = window.stageEvents.flatMap((e) => e.streams.map((s) => ({ streamId: s.streamId })));
    await window.client.streams.subscribeToRemoteStreams(window.stage.streamRoomId, streams);
  });
  assert.deepEqual((await viewer.evaluate(() => window.remote.map((e) => e.kind))).sort(), ['audio', 'video']);
  await waitFor('the viewer decodes video', 10_000, async () => (await framesDecoded(viewer)) > 0 || framesDecoded(viewer));
  for (const { errors } of pages) assert.deepEqual(errors, []);
});
