// The live demo page in a real browser: a producer broadcasts canvas JPEGs over the portal relay,
// viewers see the frames and the producer sees the count; the 9th viewer of one user hits the cap
// (8 per user for `content`), and closing a viewer page (pagehide → beacon) frees a slot.
// LIVE_DEMO_SCREENSHOT=/path.png saves a screenshot of the first viewer page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startOnair } from '../support/onair.mjs';
import { launchBrowser } from '../support/browser.mjs';

let srv;
let browser;
before(async () => {
  srv = await startOnair({ args: ['--dev-demo-tokens', 'on'] });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await srv?.stop();
});

async function openPage(query) {
  const context = await browser.newContext({ viewport: { width: 1100, height: 760 } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${srv.url}/live.html?${new URLSearchParams({ ...query, autostart: '1' })}`);
  return { page, context, errors };
}

/** Waits until the number shown in #id satisfies `predicate`, an expression of `n`. */
const waitCount = (page, id, predicate, timeout = 10_000) =>
  page.waitForFunction(`((n) => ${predicate})(Number(document.getElementById('${id}').textContent))`, undefined, { timeout });

test('a producer broadcasts, viewers watch, the 9th viewer of a user hits the cap, a closed page frees a slot', { timeout: 40_000 }, async () => {
  const live = `content:demo-e2e-${process.pid}`;
  const watcher = `watcher-${process.pid}`;

  const producer = await openPage({ mode: 'producer', user: `producer-${process.pid}`, live });
  await producer.page.locator('#producer-view').waitFor({ state: 'visible', timeout: 10_000 });
  await waitCount(producer.page, 'frames-sent', 'n >= 3');

  const first = await openPage({ mode: 'viewer', user: watcher, live });
  await first.page.locator('#viewer-view').waitFor({ state: 'visible', timeout: 10_000 });
  await waitCount(first.page, 'frames-received', 'n > 10');
  await waitCount(first.page, 'frames-shown', 'n > 5');
  const size = await first.page.locator('#screen').evaluate((img) => [img.naturalWidth, img.naturalHeight, img.getBoundingClientRect().width]);
  assert.deepEqual(size.slice(0, 2), [640, 360], 'the viewer shows the producer\'s 640 × 360 canvas');
  assert.ok(size[2] > 0, 'the image is laid out with a non-zero size');
  await waitCount(producer.page, 'viewer-count', 'n === 1');
  if (process.env.LIVE_DEMO_SCREENSHOT) await first.page.screenshot({ path: process.env.LIVE_DEMO_SCREENSHOT });

  // Seven more viewers as the same user: 8 slots, the cap for content broadcasts.
  const more = await Promise.all(Array.from({ length: 7 }, () => openPage({ mode: 'viewer', user: watcher, live })));
  await Promise.all(more.map((v) => v.page.locator('#viewer-view').waitFor({ state: 'visible', timeout: 10_000 })));
  await waitCount(producer.page, 'viewer-count', 'n === 8');

  // The 9th is refused, and says so.
  const ninth = await openPage({ mode: 'viewer', user: watcher, live });
  const status = ninth.page.locator('#status[data-code="cap_exceeded"]');
  await status.waitFor({ state: 'visible', timeout: 10_000 });
  assert.match(await status.textContent(), /Viewer limit reached/);
  assert.equal(await ninth.page.locator('#viewer-view').isVisible(), false);
  assert.equal(await ninth.page.locator('#watch').textContent(), 'Retry');

  // Closing a viewer page releases its slot (the SDK's pagehide beacon); a retry then gets in.
  await more[0].context.close();
  const deadline = Date.now() + 3000;
  while (!(await ninth.page.locator('#viewer-view').isVisible())) {
    assert.ok(Date.now() < deadline, `the 9th viewer could not attach within 3 s of a page closing: ${await ninth.page.locator('#status').textContent()}`);
    if (await ninth.page.locator('#watch').isEnabled()) await ninth.page.click('#watch');
    await ninth.page.waitForTimeout(150);
  }
  await waitCount(ninth.page, 'frames-shown', 'n > 2');
  await waitCount(producer.page, 'viewer-count', 'n === 8');

  // "Stop watching" releases at once: the producer's count drops.
  await first.page.click('#leave');
  await waitCount(producer.page, 'viewer-count', 'n === 7');

  const all = [producer, first, ...more, ninth];
  assert.deepEqual(all.flatMap((p) => p.errors), []);
  for (const p of [producer, first, ...more.slice(1), ninth]) await p.context.close();
});
