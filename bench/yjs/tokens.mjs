// Where the benchmarks get a document's Hocuspocus token: a token source is an async function
// (documentName) → token.
//   any:   one fixed string (the peer's onAuthenticate accepts any token);
//   onair: a collab room token per document, minted over onair's client API (/v1/connect,
//          `collab.token` with kind "workspace"), as the SDK's client.collab.token does; the
//          access token (grant collab:*:read-write) comes from the environment, never argv.
import WebSocket from 'ws';

export const anyToken = (token = 'bench') => async () => token;

/**
 * A token source minting through onair at connectUrl (ws://…/v1/connect) with accessToken; one
 * connection, requests pipelined. Returns {token(doc), close()}.
 */
export async function onairTokens(connectUrl, accessToken) {
  const ws = new WebSocket(connectUrl);
  await new Promise((res, rej) => { ws.once('open', res); ws.once('error', rej); });
  const pending = new Map();
  let nextId = 0;
  ws.on('message', (raw) => {
    const msg = JSON.parse(raw.toString());
    const p = pending.get(msg.id);
    if (!p) return;
    pending.delete(msg.id);
    if (msg.result) p.resolve(msg.result);
    else p.reject(new Error(`${p.op}: ${JSON.stringify(msg.error)}`));
  });
  ws.on('close', () => { for (const p of pending.values()) p.reject(new Error('the onair API connection closed')); });
  const request = (op, args) => new Promise((resolve, reject) => {
    const id = ++nextId;
    pending.set(id, { resolve, reject, op });
    ws.send(JSON.stringify({ id, op, args }));
  });
  await request('connect', { token: accessToken });
  return {
    token: async (doc) => (await request('collab.token', { room: doc, kind: 'workspace' })).token,
    close: () => ws.close(1000),
  };
}

/**
 * The token source the environment asks for: BENCH_ONAIR_CONNECT_URL and
 * BENCH_ONAIR_ACCESS_TOKEN set → onair's; else any token. Returns {token, close}.
 */
export async function tokenSourceFromEnv() {
  const url = process.env.BENCH_ONAIR_CONNECT_URL, access = process.env.BENCH_ONAIR_ACCESS_TOKEN;
  if (url && access) return onairTokens(url, access);
  return { token: anyToken(), close: () => {} };
}
