// Launches Debian's Chromium through playwright-core (never a downloaded browser), headless,
// with the flags this machine needs (no sandbox as root, no background networking).
import { chromium } from 'playwright-core';

export const chromiumPath = process.env.ONAIR_CHROMIUM ?? '/usr/bin/chromium';

export function launchBrowser() {
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
}
