// Simulcast through onair in Chromium (issue 13): page A publishes its camera (960x540) as three
// encodings (addStreamTrack {simulcast: true}); page B receives one of them and picks which with
// setRemoteVideoQuality: `low` brings the quarter-resolution encoding (240 px wide), `high` a
// larger one again, and frames keep being decoded across every switch (onair switches at a
// keyframe, with continuous sequence numbers and timestamps).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startOnair } from '../support/onair.mjs';
import { launchBrowser, WEBRTC_ARGS } from '../support/browser.mjs';
import { openStreamPage, waitFor, metric } from '../support/streamPages.mjs';
import { OnairServer } from '../../sdk/js/dist/server/index.js';

let srv;
let api;
let browser;
let roomId;

before(async () => {
  srv = await startOnair();
  api = new OnairServer({ url: srv.url, apiKey: srv.apiKey, apiSecret: srv.apiSecret });
  browser = await launchBrowser(WEBRTC_ARGS);
  roomId = await api.streams.createStreamRoom('ctx-simulcast', ['ana', 'ben'], [], new Uint8Array(), new Uint8Array());
});

after(async () => {
  await browser?.close();
  await srv?.stop();
});

// The received video's width and decoded frames (0 before the first frame).
const video = (page) => page.evaluate(async () => {
  const out = { width: 0, frames: 0 };
  for (const pc of window.pcs) {
    (await pc.getStats()).forEach((s) => {
      if (s.type !== 'inbound-rtp' || s.kind !== 'video') return;
      out.width = s.frameWidth ?? 0;
      out.frames += s.framesDecoded ?? 0;
    });
  }
  return out;
});

test('a subscriber switches between simulcast encodings and keeps decoding', async () => {
  const open = (userId) => openStreamPage({ browser, srv, api, userId, roomId, context: 'ctx-simulcast' });
  const a = await open('ana');
  const b = await open('ben');
  const published = await a.page.evaluate(async (roomId) => {
    const media = await navigator.mediaDevices.getUserMedia({ video: { width: 960, height: 540 } });
    window.handle = await window.client.streams.createStream(roomId);
    await window.client.streams.addStreamTrack(window.handle, { track: media.getVideoTracks()[0], simulcast: true });
    return window.client.streams.publishStream(window.handle);
  }, roomId);
  const sub = { streamId: published.streamId };
  await b.page.evaluate(({ roomId, sub }) => window.client.streams.subscribeToRemoteStreams(roomId, [sub]), { roomId, sub });
  await waitFor('B decodes A\'s video', 15_000, async () => (await video(b.page)).frames > 5 || video(b.page));
  // Three producers, one per encoding, all receiving.
  await waitFor('onair receives the encodings', 10_000, async () => (await metric(srv, 'onair_sfu_rtp_received_total')) > 100 || 'waiting');

  const setQuality = (quality) => b.page.evaluate(({ roomId, sub, quality }) => window.client.streams.setRemoteVideoQuality(roomId, sub, quality), { roomId, sub, quality });
  await setQuality('low');
  await waitFor('the low encoding (240 px) arrives', 15_000, async () => { const v = await video(b.page); return v.width === 240 || v; });
  const atLow = (await video(b.page)).frames;
  await waitFor('frames keep coming at low', 5000, async () => (await video(b.page)).frames > atLow + 5 || video(b.page));

  await setQuality('high');
  await waitFor('a larger encoding arrives again', 20_000, async () => { const v = await video(b.page); return v.width > 240 || v; });
  const atHigh = (await video(b.page)).frames;
  await waitFor('frames keep coming at high', 5000, async () => (await video(b.page)).frames > atHigh + 5 || video(b.page));

  const refused = await b.page.evaluate(({ roomId }) => window.client.streams.setRemoteVideoQuality(roomId, { streamId: 'st_nothing' }, 'low').then(() => 'ok', (e) => e.code), { roomId });
  assert.equal(refused, 'not_found');
  for (const { errors } of [a, b]) assert.deepEqual(errors, []);
});
