// Chromium pages for the stream-media end-to-end tests: a page served by onair itself (a routed
// page would count as a public address, and Chromium's local network access checks would block
// its WebSocket to 127.0.0.1) with the SDK's browser build connected and the stream room joined.
// Every RTCPeerConnection the SDK makes is kept in window.pcs and every data channel onair opens
// to the page in window.channels, so tests can read stats and states.
import assert from 'node:assert/strict';

/**
 * Opens a page for `userId` with a token granting `grants`; `listen` (a function run in the page,
 * given roomId, before the join) registers the page's listeners; `connectOptions` (plain data)
 * are added to the SDK's connect options (e.g. `{media: {iceTransportPolicy: 'relay'}}`).
 * → {page, errors} (errors: uncaught page errors).
 */
export async function openMediaPage({ browser, srv, api, userId, roomId, grants, listen, connectOptions = {} }) {
  const { token } = await api.createToken({ userId, ttl: 600, grants });
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${srv.url}/healthz`);
  await page.evaluate(async ({ url, token, connectOptions }) => {
    const Native = window.RTCPeerConnection;
    window.pcs = [];
    window.channels = [];
    window.RTCPeerConnection = function (...args) {
      const pc = new Native(...args);
      window.pcs.push(pc);
      pc.addEventListener('datachannel', (e) => window.channels.push(e.channel));
      return pc;
    };
    window.RTCPeerConnection.prototype = Native.prototype;
    const { connect } = await import('/sdk/client/index.js');
    window.client = await connect({ url, token, ...connectOptions });
  }, { url: srv.url, token, connectOptions });
  if (listen) await page.evaluate(listen, roomId);
  await page.evaluate((roomId) => window.client.streams.joinStreamRoom(roomId), roomId);
  return { page, errors };
}

/** Polls `check` every 100 ms until it returns true; fails after `ms` with its last answer. */
export async function waitFor(what, ms, check) {
  const deadline = Date.now() + ms;
  let last;
  while (Date.now() < deadline) {
    last = await check();
    if (last === true) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`not within ${ms} ms: ${what} (last: ${JSON.stringify(last)})`);
}
