import { createHmac } from 'node:crypto';
import { OnairError } from '../common/OnairError.js';

function base64url(data: string | Buffer): string {
  return Buffer.from(data).toString('base64url');
}

/**
 * Signs a short-lived JWT (HS256) that authenticates an app backend to the HTTP API.
 * Header `{"alg":"HS256","typ":"JWT","kid":apiKey}`; claims `{iss, iat, nbf, exp}` in seconds.
 * The secret is used as the UTF-8 bytes of the string, as the server does.
 */
export function createServerJwt(apiKey: string, apiSecret: string, ttlSeconds = 60): string {
  if (typeof apiKey !== 'string' || apiKey.length === 0) {
    throw new OnairError('invalid_argument', 'apiKey must be a non-empty string');
  }
  if (typeof apiSecret !== 'string' || apiSecret.length === 0) {
    throw new OnairError('invalid_argument', 'apiSecret must be a non-empty string');
  }
  if (!Number.isInteger(ttlSeconds) || ttlSeconds <= 0) {
    throw new OnairError('invalid_argument', 'ttlSeconds must be a positive integer');
  }
  const now = Math.floor(Date.now() / 1000);
  const header = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT', kid: apiKey }));
  const claims = base64url(JSON.stringify({ iss: apiKey, iat: now, nbf: now, exp: now + ttlSeconds }));
  const signature = createHmac('sha256', apiSecret).update(`${header}.${claims}`).digest('base64url');
  return `${header}.${claims}.${signature}`;
}
