// Data tracks in Chromium through the SDK (issue 13): page A publishes a camera and a data track
// (a data channel through onair's SCTP), page B subscribes to the whole stream and page C to the
// data track alone; both get A's string and binary messages in order through onRemoteData. B then
// unsubscribes from the data track (its channel closes) and gets nothing more while C still does;
// A drops the data track (updateStream) and C's channel closes. /metrics counts what was forwarded.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startOnair } from '../support/onair.mjs';
import { launchBrowser, WEBRTC_ARGS } from '../support/browser.mjs';
import { openStreamPage, metric, waitFor } from '../support/streamPages.mjs';
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
  roomId = await api.streams.createStreamRoom('ctx-data', ['ana', 'ben', 'cleo'], [], new Uint8Array(), new Uint8Array());
});

after(async () => {
  await browser?.close();
  await srv?.stop();
});

async function openPage(userId) {
  const opened = await openStreamPage({
    browser, srv, api, userId, roomId, context: 'ctx-data',
    listen: (roomId) => {
      window.data = [];
      window.client.streams.addRemoteStreamListener({
        streamRoomId: roomId,
        onRemoteData: (bytes, info) => window.data.push({
          text: info.binary ? [...bytes].join(',') : new TextDecoder().decode(bytes), binary: info.binary, trackId: info.trackId, streamId: info.streamId,
        }),
      });
    },
  });
  pages[userId] = opened;
  return opened.page;
}

let streamId;
let dataTrackId;

test('a data track reaches a whole-stream subscriber and a data-only subscriber, strings and bytes in order', async () => {
  const a = await openPage('ana');
  const b = await openPage('ben');
  const c = await openPage('cleo');
  const published = await a.evaluate(async (roomId) => {
    const media = await navigator.mediaDevices.getUserMedia({ video: { width: 160, height: 120 } });
    window.handle = await window.client.streams.createStream(roomId);
    await window.client.streams.addStreamTrack(window.handle, { track: media.getVideoTracks()[0] });
    window.dataTrackId = await window.client.streams.addStreamTrack(window.handle, { createDataChannel: true });
    return window.client.streams.publishStream(window.handle);
  }, roomId);
  streamId = published.streamId;
  dataTrackId = await a.evaluate(() => window.dataTrackId);
  assert.deepEqual(published.tracks.map((t) => t.kind).sort(), ['data', 'video']);

  const listed = await b.evaluate((roomId) => window.client.streams.listStreams(roomId), roomId);
  assert.deepEqual(listed[0].tracks.map((t) => t.kind).sort(), ['data', 'video']);
  await b.evaluate(({ roomId, streamId }) => window.client.streams.subscribeToRemoteStreams(roomId, [{ streamId }]), { roomId, streamId });
  await c.evaluate(({ roomId, streamId, trackId }) => window.client.streams.subscribeToRemoteStreams(roomId, [{ streamId, trackId }]),
    { roomId, streamId, trackId: dataTrackId });

  // Sent until both have the first one: the subscribers' channels open a moment after the answers.
  let n = 0;
  await waitFor('B and C receive A\'s messages', 10_000, async () => {
    await a.evaluate((i) => window.client.streams.sendData(window.handle, `hello ${i}`), n++);
    const [bd, cd] = await Promise.all([b.evaluate(() => window.data.length), c.evaluate(() => window.data.length)]);
    return (bd > 0 && cd > 0) || { bd, cd };
  });
  await a.evaluate(async () => {
    for (let i = 0; i < 20; i++) await window.client.streams.sendData(window.handle, `seq ${i}`);
    await window.client.streams.sendData(window.handle, new Uint8Array([1, 2, 255]));
  });
  for (const page of [b, c]) {
    await waitFor('20 ordered strings and one binary message', 5000, () => page.evaluate(() => window.data.some((d) => d.binary) || window.data.length));
    const got = await page.evaluate(() => window.data);
    const seq = got.filter((d) => d.text.startsWith('seq ')).map((d) => d.text);
    assert.deepEqual(seq, Array.from({ length: 20 }, (_, i) => `seq ${i}`));
    assert.deepEqual(got.find((d) => d.binary), { text: '1,2,255', binary: true, trackId: dataTrackId, streamId });
    assert.ok(got.every((d) => d.streamId === streamId && d.trackId === dataTrackId));
  }
  assert.ok(await metric(srv, 'onair_sfu_data_messages_forwarded_total') >= 42);
});

test('unsubscribing from the data track stops its messages; dropping the track closes the channel', async () => {
  const [a, b, c] = [pages.ana.page, pages.ben.page, pages.cleo.page];
  await b.evaluate(({ roomId, streamId, trackId }) => window.client.streams.unsubscribeFromRemoteStreams(roomId, [{ streamId, trackId }]),
    { roomId, streamId, trackId: dataTrackId });
  const label = `${streamId}/${dataTrackId}`;
  await waitFor('B\'s channel closed both ways', 5000, () => b.evaluate((label) => window.channels.find((ch) => ch.label === label).readyState === 'closed', label));
  const bBefore = await b.evaluate(() => window.data.length);
  const forwardedBefore = await metric(srv, 'onair_sfu_data_messages_forwarded_total');
  await a.evaluate(() => window.client.streams.sendData(window.handle, 'after B left'));
  await waitFor('C gets the message', 5000, () => c.evaluate(() => window.data.some((d) => d.text === 'after B left')));
  assert.equal(await b.evaluate(() => window.data.length), bBefore);
  assert.equal(await metric(srv, 'onair_sfu_data_messages_forwarded_total'), forwardedBefore + 1, 'sent to C only');

  assert.equal(await c.evaluate((label) => window.channels.find((ch) => ch.label === label)?.readyState, label), 'open');
  await a.evaluate(async (trackId) => {
    await window.client.streams.removeStreamTrack(window.handle, trackId);
    await window.client.streams.updateStream(window.handle);
  }, dataTrackId);
  await waitFor('C\'s data channel closed', 5000, () => c.evaluate((label) => window.channels.find((ch) => ch.label === label).readyState === 'closed', label));
  const rejected = await a.evaluate(() => window.client.streams.sendData(window.handle, 'x').then(() => 'sent', (e) => e.code));
  assert.equal(rejected, 'not_found');
  for (const { errors } of Object.values(pages)) assert.deepEqual(errors, []);
});

test('a data track added later by updateStream is relayed', async () => {
  const [a, b] = [pages.ana.page, pages.ben.page];
  const trackId = await a.evaluate(async () => {
    const id = await window.client.streams.addStreamTrack(window.handle, { createDataChannel: true });
    await window.client.streams.updateStream(window.handle);
    return id;
  });
  await b.evaluate(({ roomId, streamId, trackId }) => window.client.streams.subscribeToRemoteStreams(roomId, [{ streamId, trackId }]),
    { roomId, streamId, trackId });
  let n = 0;
  await waitFor('B receives on the new data track', 10_000, async () => {
    await a.evaluate(({ trackId, i }) => window.client.streams.sendData(window.handle, `late ${i}`, trackId), { trackId, i: n++ });
    return b.evaluate((trackId) => window.data.some((d) => d.trackId === trackId && d.text.startsWith('late ')), trackId);
  });
});
