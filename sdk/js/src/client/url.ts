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
