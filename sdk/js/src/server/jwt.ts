import { createHmac } from 'node:crypto';
import { OnairError } from '../common/OnairError.js';

function base64url(data: string | Buffer): string {
  return Buffer.from(data).toString('base64url');
}

/** The largest token the server accepts (bytes); it refuses larger ones unread. */
export const MAX_TOKEN_BYTES = 8192;

/**
 * Signs a short-lived JWT (HS256) that authenticates an app backend to the HTTP API.
 * Header `{"alg":"HS256","typ":"JWT","kid":apiKey}`; claims `{iss, aud: "onair-api", iat, nbf, exp}`
 * in seconds. The secret is used as the UTF-8 bytes of the string, as the server does.
 * Throws `payload_too_large` if the credential would be over MAX_TOKEN_BYTES (an absurdly long key).
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
  const claims = base64url(JSON.stringify({ iss: apiKey, aud: 'onair-api', iat: now, nbf: now, exp: now + ttlSeconds }));
  const signature = createHmac('sha256', apiSecret).update(`${header}.${claims}`).digest('base64url');
  const jwt = `${header}.${claims}.${signature}`;
  if (jwt.length > MAX_TOKEN_BYTES) {
    throw new OnairError('payload_too_large', `the API credential would be ${jwt.length} bytes, over the ${MAX_TOKEN_BYTES} bytes onair accepts: use a shorter apiKey`);
  }
  return jwt;
}
