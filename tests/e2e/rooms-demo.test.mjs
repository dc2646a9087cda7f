// The rooms demo page in a real browser: two people see each other, chat, reload, leave.
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

async function openAs(user, room) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${srv.url}/?user=${user}&room=${room}&autojoin=1`);
  await page.locator('#room-view').waitFor({ state: 'visible', timeout: 10_000 });
  return { page, context, errors };
}

const memberNames = (page) => page.locator('#members li .name').allTextContents();

test('two pages see each other, chat, keep history across a reload, and see a leave', async () => {
  const room = `demo_${process.pid}`;
  const alice = await openAs('alice', room);
  const bob = await openAs('bob', room);

  // Presence both ways.
  await alice.page.locator('#members li[data-user="bob"]').waitFor({ timeout: 5000 });
  assert.deepEqual((await memberNames(alice.page)).sort(), ['alice', 'bob']);
  assert.deepEqual((await memberNames(bob.page)).sort(), ['alice', 'bob']);

  // Messages cross.
  await alice.page.fill('#text', 'hello from alice');
  await alice.page.click('#send');
  await bob.page.locator('#messages li', { hasText: 'hello from alice' }).waitFor({ timeout: 5000 });
  await bob.page.fill('#text', 'hi alice');
  await bob.page.press('#text', 'Enter');
  await alice.page.locator('#messages li', { hasText: 'hi alice' }).waitFor({ timeout: 5000 });

  // Presence updates fan out.
  await bob.page.selectOption('#presence', 'away');
  await alice.page.locator('#members li[data-user="bob"] .presence.away').waitFor({ timeout: 5000 });

  // A reload shows the history, each message once.
  await bob.page.reload();
  await bob.page.locator('#room-view').waitFor({ state: 'visible', timeout: 10_000 });
  await bob.page.locator('#messages li', { hasText: 'hi alice' }).waitFor({ timeout: 5000 });
  const texts = await bob.page.locator('#messages li .text').allTextContents();
  assert.deepEqual(texts, ['hello from alice', 'hi alice']);

  // Closing a page removes that person from the other's member list.
  await alice.context.close();
  await bob.page.locator('#members li[data-user="alice"]').waitFor({ state: 'detached', timeout: 5000 });
  assert.deepEqual(await memberNames(bob.page), ['bob']);

  assert.deepEqual([...alice.errors, ...bob.errors], []);
  await bob.context.close();
});
