// Launches Debian's Chromium through playwright-core (never a downloaded browser), headless,
// with the flags this machine needs (no sandbox as root, no background networking).
import { chromium } from 'playwright-core';

export const chromiumPath = process.env.ONAIR_CHROMIUM ?? '/usr/bin/chromium';

// `extraArgs`: more flags, e.g. WEBRTC_ARGS.
export function launchBrowser(extraArgs = []) {
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage', ...extraArgs],
  });
}

// WebRTC against onair on loopback, with fake camera and microphone and no permission prompt.
export const WEBRTC_ARGS = ['--allow-loopback-in-peer-connection', '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'];

/**
 * For `page.evaluate`: keeps every RTCPeerConnection the page makes from now on in
 * `window.pcs`, and every data channel the remote side opens on them in `window.channels`, so a
 * test can read their states and stats.
 */
export function keepPeerConnections() {
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
}

/** Polls `check` (async) every 100 ms until it returns true; fails after `ms` with its last value. */
export async function waitFor(what, ms, check) {
  const deadline = Date.now() + ms;
  let last;
  while (Date.now() < deadline) {
    last = await check();
    if (last === true) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`not within ${ms} ms: ${what} (last: ${JSON.stringify(last)})`);
}

/**
 * A new context and page on onair's own /healthz document (a routed page would count as a public
 * address, and Chromium's local network access checks would block its WebSocket to 127.0.0.1),
 * keeping its peer connections in `window.pcs`: {page, context, errors} (uncaught page errors).
 */
export async function openOnairPage(browser, serverUrl) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${serverUrl}/healthz`);
  await page.evaluate(keepPeerConnections);
  return { page, context, errors };
}
