// Stream media between two WebRTC stacks no one here wrote, through onair (issue 13): aiortc
// (Debian's python3-aiortc, run by tests/support/aiortc_peer.py, its signaling done by this test
// through the node SDK) publishes a test pattern and a tone and Chromium decodes them; then
// Chromium publishes its fake camera and microphone and aiortc decodes those. Skipped without
// aiortc.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { WebSocket } from 'ws';
import { startOnair } from '../support/onair.mjs';
import { launchBrowser, WEBRTC_ARGS } from '../support/browser.mjs';
import { hasAiortc, startAiortcPeer } from '../support/aiortc.mjs';
import { openStreamPage, publishFakeDevices, inbound, waitFor } from '../support/streamPages.mjs';
import { connect } from '../../sdk/js/dist/client/index.js';
import { OnairServer } from '../../sdk/js/dist/server/index.js';

const CONTEXT = 'ctx-aiortc';
const skip = hasAiortc() ? false : 'python3-aiortc is not installed for /usr/bin/python3';
let srv;
let api;
let browser;
let roomId;
const peers = [];
const clients = [];

before(async () => {
  if (skip) return;
  srv = await startOnair();
  api = new OnairServer({ url: srv.url, apiKey: srv.apiKey, apiSecret: srv.apiSecret });
  browser = await launchBrowser(WEBRTC_ARGS);
  roomId = await api.streams.createStreamRoom(CONTEXT, ['py', 'chrome'], [], new Uint8Array(), new Uint8Array());
});

after(async () => {
  for (const peer of peers) await peer.stop();
  for (const client of clients) await client.close();
  await browser?.close();
  await srv?.stop();
});

// A node SDK client for the aiortc peer's signaling, joined to the room.
async function signalingFor(userId) {
  const { token } = await api.createToken({ userId, ttl: 600, grants: [`stream:${CONTEXT}:join,publish,subscribe`] });
  const client = await connect({ url: srv.url, WebSocket, token, reconnect: false });
  clients.push(client);
  await client.streams.joinStreamRoom(roomId);
  return client;
}

// Starts an aiortc peer and hands its offer to `request` (which returns onair's answer).
async function aiortcPeer(mode, request) {
  const peer = startAiortcPeer(mode);
  peers.push(peer);
  const { offer, mids } = await peer.next((m) => m.offer);
  const answer = await request(offer, mids);
  peer.send({ answer: answer.sdp });
  await peer.next((m) => m.state === 'answered' || m.error);
  return { peer, answer };
}

test('aiortc publishes a test pattern and a tone; Chromium decodes both', { skip, timeout: 40_000 }, async () => {
  const py = await signalingFor('py');
  const { peer, answer } = await aiortcPeer('publish', (sdp, mids) => py.request('streams.publish', {
    streamRoomId: roomId, sdp, tracks: [{ mid: mids.video, trackId: 'pattern', kind: 'video' }, { mid: mids.audio, trackId: 'tone', kind: 'audio' }],
  }));
  assert.match(answer.streamId, /^st_/);
  await peer.next((m) => m.state === 'connected');

  const { page, errors } = await openStreamPage({ browser, srv, api, userId: 'chrome', roomId, context: CONTEXT });
  await page.evaluate(({ roomId, streamId }) => window.client.streams.subscribeToRemoteStreams(roomId, [{ streamId }]), { roomId, streamId: answer.streamId });
  await waitFor('Chromium: framesDecoded rising and audio packets', 15_000, async () => {
    const first = await inbound(page);
    await new Promise((r) => setTimeout(r, 300));
    const second = await inbound(page);
    return (second.framesDecoded > first.framesDecoded && first.framesDecoded > 0 && second.audioPackets > 0) || second;
  });
  // The tone is heard, not silence: played out (Chromium decodes audio only for a sink), the
  // received track's audio level is above zero.
  await page.evaluate(() => {
    const audio = document.createElement('audio');
    audio.srcObject = window.remote.find((e) => e.kind === 'audio').stream;
    document.body.append(audio);
    return audio.play();
  });
  await waitFor('Chromium hears the tone', 5000, () => page.evaluate(async () => {
    let level = 0;
    for (const pc of window.pcs) (await pc.getStats()).forEach((s) => { if (s.type === 'inbound-rtp' && s.kind === 'audio') level = Math.max(level, s.audioLevel ?? 0); });
    return level > 0.01 || level;
  }));
  await py.request('streams.unpublish', { streamRoomId: roomId, streamId: answer.streamId });
  await peer.stop();
  await page.context().close();
  assert.deepEqual(errors, []);
});

test('Chromium publishes camera and microphone; aiortc decodes both', { skip, timeout: 40_000 }, async () => {
  const { page, errors } = await openStreamPage({ browser, srv, api, userId: 'chrome', roomId, context: CONTEXT });
  const published = await publishFakeDevices(page, roomId);
  const py = await signalingFor('py');
  const tracks = Object.fromEntries(published.tracks.map((t) => [t.kind, t.trackId]));
  const { peer, answer } = await aiortcPeer('subscribe', (sdp, mids) => py.request('streams.subscribe', {
    streamRoomId: roomId, sdp, subscriptions: ['video', 'audio'].map((kind) => ({ mid: mids[kind], streamId: published.streamId, trackId: tracks[kind] })),
  }));
  assert.deepEqual(answer.rejected, []);
  await peer.next((m) => m.state === 'connected');
  const decoded = await peer.next((m) => m.frames?.video >= 30 && m.frames.audio >= 50, 15_000);
  assert.ok(decoded.frames.video >= 30, JSON.stringify(decoded));
  await page.context().close();
  assert.deepEqual(errors, []);
});
