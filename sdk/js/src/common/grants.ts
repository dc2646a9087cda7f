import { OnairError } from './OnairError.js';

/** Actions each surface accepts in a grant (docs/protocol.md, "Grant strings"). */
export const GRANT_ACTIONS = {
  room: ['subscribe', 'publish', 'presence', 'history', 'metadata', 'admin'],
  channel: ['subscribe', 'publish', 'history'],
  live: ['publish', 'attach'],
  stage: ['host', 'viewer', 'publish', 'subscribe'],
  stream: ['join', 'publish', 'subscribe', 'manage'],
  collab: ['read-write', 'readonly'],
} as const satisfies Record<string, readonly string[]>;

/** Same limit as the server (docs/http-api.md, POST /v1/tokens). */
const MAX_PATTERN_BYTES = 255;

export type GrantSurface = keyof typeof GRANT_ACTIONS;

export interface ParsedGrant {
  surface: GrantSurface;
  /** `*` matches any run of characters, including none and including `:`. */
  pattern: string;
  /** Actions in the order written, without duplicates; `*` means every action of the surface. */
  actions: string[];
}

function isSurface(value: string): value is GrantSurface {
  return Object.prototype.hasOwnProperty.call(GRANT_ACTIONS, value);
}

/**
 * Parses `<surface>:<pattern>:<action>[,<action>…]`. The string is split at its first and last
 * colon, so the pattern may contain colons (`live:content:*:attach`).
 * Throws `OnairError('invalid_argument')` naming the problem.
 */
export function parseGrant(grant: string): ParsedGrant {
  if (typeof grant !== 'string') {
    throw new OnairError('invalid_argument', 'grant must be a string');
  }
  const first = grant.indexOf(':');
  const last = grant.lastIndexOf(':');
  if (first < 0 || first === last) {
    throw new OnairError(
      'invalid_argument',
      `grant "${grant}" must have the form <surface>:<pattern>:<action>[,<action>…]`,
    );
  }
  const surface = grant.slice(0, first);
  const pattern = grant.slice(first + 1, last);
  const actionList = grant.slice(last + 1);
  if (!isSurface(surface)) {
    throw new OnairError(
      'invalid_argument',
      `grant "${grant}": unknown surface "${surface}" (expected one of ${Object.keys(GRANT_ACTIONS).join(', ')})`,
    );
  }
  if (pattern.length === 0) {
    throw new OnairError('invalid_argument', `grant "${grant}": the pattern is empty`);
  }
  if (new TextEncoder().encode(pattern).length > MAX_PATTERN_BYTES) {
    throw new OnairError('invalid_argument', `grant "${grant}": the pattern is longer than ${MAX_PATTERN_BYTES} bytes`);
  }
  if (actionList.length === 0) {
    throw new OnairError('invalid_argument', `grant "${grant}": no actions`);
  }
  const allowed: readonly string[] = GRANT_ACTIONS[surface];
  const actions: string[] = [];
  for (const action of actionList.split(',')) {
    if (action.length === 0) {
      throw new OnairError('invalid_argument', `grant "${grant}": empty action in "${actionList}"`);
    }
    if (action !== '*' && !allowed.includes(action)) {
      throw new OnairError(
        'invalid_argument',
        `grant "${grant}": unknown action "${action}" for surface "${surface}" (expected one of ${allowed.join(', ')}, or *)`,
      );
    }
    if (!actions.includes(action)) actions.push(action);
  }
  return { surface, pattern, actions };
}
