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
