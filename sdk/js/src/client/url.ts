import { OnairError } from '../common/OnairError.js';

const CONNECT_PATH = '/v1/connect';

/**
 * Maps the server base URL to the WebSocket endpoint: http→ws, https→wss, and `/v1/connect`
 * appended unless the path already ends with it. A path prefix (reverse proxy) is kept.
 */
export function connectUrl(base: string): string {
  let url: URL;
  try {
    url = new URL(base);
  } catch {
    throw new OnairError('invalid_argument', `url "${base}" is not an absolute URL`);
  }
  switch (url.protocol) {
    case 'http:':
      url.protocol = 'ws:';
      break;
    case 'https:':
      url.protocol = 'wss:';
      break;
    case 'ws:':
    case 'wss:':
      break;
    default:
      throw new OnairError('invalid_argument', `url "${base}" must use http, https, ws or wss`);
  }
  const path = url.pathname.replace(/\/+$/, '');
  if (!path.endsWith(CONNECT_PATH)) url.pathname = path + CONNECT_PATH;
  url.hash = '';
  return url.toString();
}

/**
 * The HTTP URL of `path` on the server behind a WebSocket endpoint made by `connectUrl`:
 * ws→http, wss→https, `/v1/connect` replaced by `path` (a path prefix is kept), no query.
 */
export function httpUrl(wsUrl: string, path: string): string {
  const url = new URL(wsUrl);
  url.protocol = url.protocol === 'wss:' ? 'https:' : 'http:';
  const prefix = url.pathname.replace(/\/+$/, '');
  url.pathname = (prefix.endsWith(CONNECT_PATH) ? prefix.slice(0, -CONNECT_PATH.length) : prefix) + path;
  url.search = '';
  url.hash = '';
  return url.toString();
}
