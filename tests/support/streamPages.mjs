// Chromium pages for the stream-media end-to-end tests: each is onair's /healthz document with a
// connected, joined SDK client, every RTCPeerConnection it makes kept in window.pcs and every
// data channel onair opens to it in window.channels.
export { waitFor } from './browser.mjs';

/**
 * Opens a page for `userId` joined to stream room `roomId` of context `context` (token grants:
 * `grants`, by default join, publish and subscribe there). `window.events` collects
 * streamPublished/Updated/Unpublished, `window.remote` the remote tracks; `listen` (a function run
 * in the page with roomId, before the join) may add listeners. `connectOptions` (plain data) are
 * added to the SDK's connect options. With `candidatePort`, the page rewrites the port of onair's
 * candidates in every answer it applies (to put a relay between the page and onair).
 */
export async function openStreamPage({ browser, srv, api, userId, roomId, context, grants, candidatePort, connectOptions = {}, listen }) {
  const { token } = await api.createToken({ userId, ttl: 600, grants: grants ?? [`stream:${context}:join,publish,subscribe`] });
  const browserContext = await browser.newContext();
  const page = await browserContext.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  // A document served by onair itself (a routed page would count as a public address, and
  // Chromium's local network access checks would block its WebSocket to 127.0.0.1).
  await page.goto(`${srv.url}/healthz`);
  await page.evaluate(async ({ url, token, roomId, candidatePort, connectOptions }) => {
    const Native = window.RTCPeerConnection;
    window.pcs = [];
    window.channels = [];
    window.RTCPeerConnection = function (...args) {
      const pc = new Native(...args);
      window.pcs.push(pc);
      pc.addEventListener('datachannel', (e) => window.channels.push(e.channel));
      if (candidatePort) {
        const apply = pc.setRemoteDescription.bind(pc);
        pc.setRemoteDescription = (d) => apply({ type: d.type,
          sdp: d.sdp.replace(/^(a=candidate:\S+ \d+ udp \d+ 127\.0\.0\.1 )\d+/gmi, `$1${candidatePort}`) });
      }
      return pc;
    };
    window.RTCPeerConnection.prototype = Native.prototype;
    const { connect } = await import('/sdk/client/index.js');
    window.client = await connect({ url, token, ...connectOptions });
    window.events = [];
    for (const name of ['streamPublished', 'streamUpdated', 'streamUnpublished']) {
      window.client.streams.on(name, (data) => window.events.push({ name, data }));
    }
    window.remote = [];
    window.client.streams.addRemoteStreamListener({ streamRoomId: roomId, onRemoteStreamTrack: (e) => window.remote.push(e) });
  }, { url: srv.url, token, roomId, candidatePort, connectOptions });
  if (listen) await page.evaluate(listen, roomId);
  await page.evaluate((roomId) => window.client.streams.joinStreamRoom(roomId), roomId);
  return { page, context: browserContext, errors };
}

/** Publishes the page's fake camera (320x240) and microphone in `roomId`; the stream's id. */
export async function publishFakeDevices(page, roomId) {
  const published = await page.evaluate(async (roomId) => {
    const media = await navigator.mediaDevices.getUserMedia({ audio: true, video: { width: 320, height: 240 } });
    window.media = media;
    window.handle = await window.client.streams.createStream(roomId);
    for (const track of media.getTracks()) await window.client.streams.addStreamTrack(window.handle, { track });
    window.states = [];
    return window.client.streams.publishStream(window.handle, (s) => window.states.push(s));
  }, roomId);
  return published;
}

/** Inbound RTP totals over every peer connection of the page. */
export function inbound(page) {
  return page.evaluate(async () => {
    const out = { framesDecoded: 0, audioPackets: 0, videoPackets: 0, freezeCount: 0, nackCount: 0, packetsLost: 0 };
    for (const pc of window.pcs) {
      (await pc.getStats()).forEach((s) => {
        if (s.type !== 'inbound-rtp') return;
        if (s.kind === 'video') {
          out.framesDecoded += s.framesDecoded ?? 0;
          out.videoPackets += s.packetsReceived ?? 0;
          out.freezeCount += s.freezeCount ?? 0;
          out.nackCount += s.nackCount ?? 0;
          out.packetsLost += s.packetsLost ?? 0;
        }
        if (s.kind === 'audio') out.audioPackets += s.packetsReceived ?? 0;
      });
    }
    return out;
  });
}

export const connectionStates = (page) => page.evaluate(() => window.pcs.map((pc) => pc.connectionState));

/** The sum of a counter in onair's /metrics over its series whose labels contain `label`. */
export async function metric(srv, name, label = '') {
  const text = await (await fetch(`${srv.url}/metrics`)).text();
  return [...text.matchAll(new RegExp(`^${name}\\{[^}]*\\} (\\d+)$`, 'gm'))]
    .filter((m) => m[0].includes(label)).reduce((n, m) => n + Number(m[1]), 0);
}
