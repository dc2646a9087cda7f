// Token helpers for tests: API credentials and client tokens made with node:crypto, so tests do
// not depend on the code under test to produce their inputs.
import { createHmac, randomBytes } from 'node:crypto';

const b64 = (obj) => Buffer.from(JSON.stringify(obj)).toString('base64url');

export function signJwt(header, payload, secret) {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

export const now = () => Math.floor(Date.now() / 1000);

/** Server API credential: iss = key, aud "onair-api", no sub. `aud: null` leaves aud out (older credentials). */
export function apiCredential(srv, { ttl = 60, aud = 'onair-api' } = {}) {
  return signJwt({ alg: 'HS256', typ: 'JWT', kid: srv.apiKey },
    { iss: srv.apiKey, ...(aud === null ? {} : { aud }), iat: now(), nbf: now(), exp: now() + ttl }, srv.apiSecret);
}

/** A client access token with the onair claim layout (aud "onair", iss = kid). `aud: null` leaves aud out. */
export function clientToken(srv, { sub = 'alice', exp = now() + 3600, nbf = now() - 1, grants = { room: { '*': ['subscribe'] } }, secret = srv.apiSecret, kid = srv.apiKey, iss = kid, aud = 'onair' } = {}) {
  return signJwt({ alg: 'HS256', typ: 'JWT', kid }, { iss, ...(aud === null ? {} : { aud }), sub, iat: now(), nbf, exp, grants }, secret);
}

export const randomSecret = () => randomBytes(32).toString('base64url');
