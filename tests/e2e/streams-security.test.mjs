// Stream media security through full signaling, with Chromium (issue 13): a publisher whose offer
// names another certificate than the one its DTLS handshake presents never gets a packet of media
// through, its transport is closed and counted, and members hear its stream end; the same page
// with an honest offer then publishes. (STUN without valid integrity: WebRtcServerTest; a
// non-member or a token without publish: tests/integration/streams*.test.mjs.)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startOnair } from '../support/onair.mjs';
import { launchBrowser, WEBRTC_ARGS } from '../support/browser.mjs';
import { openStreamPage, publishFakeDevices, connectionStates, waitFor, metric } from '../support/streamPages.mjs';
import { OnairServer } from '../../sdk/js/dist/server/index.js';

const CONTEXT = 'ctx-security';
let srv;
let api;
let browser;
let roomId;

before(async () => {
  srv = await startOnair();
  api = new OnairServer({ url: srv.url, apiKey: srv.apiKey, apiSecret: srv.apiSecret });
  browser = await launchBrowser(WEBRTC_ARGS);
  roomId = await api.streams.createStreamRoom(CONTEXT, ['ana', 'ben'], [], new Uint8Array(), new Uint8Array());
});

after(async () => {
  await browser?.close();
  await srv?.stop();
});

test('a publisher whose certificate does not match its offer\'s fingerprint never gets media through', { timeout: 40_000 }, async () => {
  const a = await openStreamPage({ browser, srv, api, userId: 'ana', roomId, context: CONTEXT });
  const b = await openStreamPage({ browser, srv, api, userId: 'ben', roomId, context: CONTEXT });
  const mismatches = () => metric(srv, 'onair_rtc_dtls_failures_total', 'reason="fingerprint_mismatch"');
  assert.equal(await mismatches(), 0);

  // A hand-made publishing connection whose offer, as sent to onair, names another certificate.
  const streamId = await a.page.evaluate(async (roomId) => {
    const media = await navigator.mediaDevices.getUserMedia({ video: { width: 320, height: 240 } });
    const pc = new RTCPeerConnection({ bundlePolicy: 'max-bundle', rtcpMuxPolicy: 'require' });
    const transceiver = pc.addTransceiver(media.getVideoTracks()[0], { direction: 'sendonly' });
    await pc.setLocalDescription(await pc.createOffer());
    const forged = Array.from({ length: 32 }, (_, i) => (i * 7 + 3).toString(16).padStart(2, '0').toUpperCase()).join(':');
    const sdp = pc.localDescription.sdp.replace(/^a=fingerprint:sha-256 [0-9A-F:]+$/gm, `a=fingerprint:sha-256 ${forged}`);
    if (sdp === pc.localDescription.sdp) throw new Error('no sha-256 fingerprint to replace');
    const r = await window.client.request('streams.publish', { streamRoomId: roomId, sdp, tracks: [{ mid: transceiver.mid, trackId: 'cam', kind: 'video' }] });
    await pc.setRemoteDescription({ type: 'answer', sdp: r.sdp });
    return r.streamId;
  }, roomId);

  await waitFor('onair counts the fingerprint mismatch', 10_000, async () => (await mismatches()) === 1 || mismatches());
  await waitFor('B hears the stream end', 5000, () => b.page.evaluate((id) => window.events.some((e) => e.name === 'streamUnpublished' && e.data.streamId === id), streamId));
  assert.equal(await metric(srv, 'onair_rtc_transports_connected_total'), 0);
  assert.equal(await metric(srv, 'onair_sfu_rtp_received_total'), 0, 'no media reached the router');
  assert.equal(await metric(srv, 'onair_rtc_transports'), 0, 'the transport is closed');
  assert.deepEqual(await b.page.evaluate((roomId) => window.client.streams.listStreams(roomId), roomId), []);
  assert.ok(!(await connectionStates(a.page)).includes('connected'));

  // The same page, honest this time: connected, and media reaches the router.
  await publishFakeDevices(a.page, roomId);
  await waitFor('A connects', 10_000, async () => (await connectionStates(a.page)).at(-1) === 'connected' || connectionStates(a.page));
  await waitFor('media reaches the router', 5000, async () => (await metric(srv, 'onair_sfu_rtp_received_total')) > 0);
  assert.equal(await mismatches(), 1);
  for (const { errors } of [a, b]) assert.deepEqual(errors, []);
});
