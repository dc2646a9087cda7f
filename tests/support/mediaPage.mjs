// Chromium pages for the stream-media end-to-end tests: openOnairPage (browser.mjs) with the
// SDK's browser build connected and the stream room joined.
import { openOnairPage } from './browser.mjs';

export { waitFor } from './browser.mjs';

/**
 * Opens a page for `userId` with a token granting `grants`; `listen` (a function run in the page,
 * given roomId, before the join) registers the page's listeners; `connectOptions` (plain data)
 * are added to the SDK's connect options (e.g. `{media: {iceTransportPolicy: 'relay'}}`).
 * → {page, context, errors} (errors: uncaught page errors).
 */
export async function openMediaPage({ browser, srv, api, userId, roomId, grants, listen, connectOptions = {} }) {
  const { token } = await api.createToken({ userId, ttl: 600, grants });
  const opened = await openOnairPage(browser, srv.url);
  await opened.page.evaluate(async ({ url, token, connectOptions }) => {
    const { connect } = await import('/sdk/client/index.js');
    window.client = await connect({ url, token, ...connectOptions });
  }, { url: srv.url, token, connectOptions });
  if (listen) await opened.page.evaluate(listen, roomId);
  await opened.page.evaluate((roomId) => window.client.streams.joinStreamRoom(roomId), roomId);
  return opened;
}
