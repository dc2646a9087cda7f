// Stream media through TURN (issue 13, "TURN through the collab credentials"): a real coturn
// started with onair's turn.secret; two Chromium pages connect with
// media.iceTransportPolicy 'relay', so their peer connections may use nothing but TURN relay
// candidates, and the SDK gets the credentials from onair (collab.turnCredentials) by itself.
// Page A publishes its camera, page B decodes it, and both selected candidate pairs are relayed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startOnair } from '../support/onair.mjs';
import { startCoturn, coturnAvailable } from '../support/coturn.mjs';
import { launchBrowser, WEBRTC_ARGS } from '../support/browser.mjs';
import { openStreamPage, waitFor } from '../support/streamPages.mjs';
import { OnairServer } from '../../sdk/js/dist/server/index.js';

let turn;
let srv;
let api;
let browser;
let roomId;

before(async () => {
  if (!coturnAvailable()) return;
  turn = await startCoturn();
  srv = await startOnair({ args: ['--turn-urls', `turn:127.0.0.1:${turn.port}?transport=udp`, '--turn-secret', turn.secret] });
  api = new OnairServer({ url: srv.url, apiKey: srv.apiKey, apiSecret: srv.apiSecret });
  browser = await launchBrowser(WEBRTC_ARGS);
  roomId = await api.streams.createStreamRoom('ctx-turn', ['ana', 'ben'], [], new Uint8Array(), new Uint8Array());
});

after(async () => {
  await browser?.close();
  await srv?.stop();
  await turn?.stop();
});

const open = (userId) => openStreamPage({
  browser, srv, api, userId, roomId, context: 'ctx-turn',
  connectOptions: { media: { iceTransportPolicy: 'relay' } },
});

// The candidate types of the page's selected (nominated, succeeded) pairs.
const selectedPairTypes = (page) => page.evaluate(async () => {
  const types = [];
  for (const pc of window.pcs) {
    const stats = await pc.getStats();
    stats.forEach((s) => {
      if (s.type !== 'candidate-pair' || !s.nominated || s.state !== 'succeeded') return;
      types.push(`${stats.get(s.localCandidateId).candidateType}->${stats.get(s.remoteCandidateId).candidateType}`);
    });
  }
  return types;
});

test('publisher and subscriber reach onair only through TURN, with credentials onair hands out', { skip: !coturnAvailable() && 'coturn is not installed' }, async () => {
  const a = await open('ana');
  const b = await open('ben');
  const streamId = await a.page.evaluate(async (roomId) => {
    const media = await navigator.mediaDevices.getUserMedia({ video: { width: 160, height: 120 } });
    const handle = await window.client.streams.createStream(roomId);
    await window.client.streams.addStreamTrack(handle, { track: media.getVideoTracks()[0] });
    return (await window.client.streams.publishStream(handle)).streamId;
  }, roomId);
  await b.page.evaluate(({ roomId, streamId }) => window.client.streams.subscribeToRemoteStreams(roomId, [{ streamId }]), { roomId, streamId });

  await waitFor('B decodes frames', 15_000, () => b.page.evaluate(async () => {
    let frames = 0;
    for (const pc of window.pcs) (await pc.getStats()).forEach((s) => { if (s.type === 'inbound-rtp' && s.kind === 'video') frames += s.framesDecoded ?? 0; });
    return frames > 3 || frames;
  }));
  for (const page of [a.page, b.page]) {
    const types = await selectedPairTypes(page);
    assert.ok(types.length > 0 && types.every((t) => t === 'relay->host'), `selected pairs ${JSON.stringify(types)}`);
  }
  // coturn saw the allocations and onair's credentials were accepted.
  assert.match(turn.output(), /ALLOCATE processed, success/);
  for (const { errors } of [a, b]) assert.deepEqual(errors, []);
});
