/**
 * `onair/crdt`: Yjs documents over the onair connection. A separate entry point because it imports
 * `yjs`, `y-protocols` and `lib0` (peer dependencies) by bare name: the `onair/client` entry must
 * load in a browser page without an import map, so it never imports them.
 */
import { CrdtRoom, type CrdtRoomOptions } from './CrdtRoom.js';
import { OnairClient } from '../client/OnairClient.js';

export { CrdtRoom } from './CrdtRoom.js';
export type { CrdtRoomEvents, CrdtRoomOptions, CrdtRoomScope, CrdtRoomStatus, WhenSyncedOptions } from './CrdtRoom.js';

/**
 * Binds a Y.Doc to the Yjs room `name` through `client`'s connection (`collab.open`; needs a
 * `collab:<room>:read-write` or `:readonly` grant). Returns at once; `whenSynced()` resolves once
 * the server's state arrived. One room per name per client at a time (`conflict` otherwise).
 */
export function crdtRoom(client: OnairClient, name: string, options?: CrdtRoomOptions): CrdtRoom {
  return new CrdtRoom(client, name, options);
}

declare module '../client/OnairClient.js' {
  interface OnairClient {
    /**
     * `crdtRoom(this, name, options)`: present once `onair/crdt` is imported (a bare
     * `import 'onair/crdt'` is enough), so `client.crdtRoom('doc')` works where yjs resolves.
     */
    crdtRoom(name: string, options?: CrdtRoomOptions): CrdtRoom;
  }
}

OnairClient.prototype.crdtRoom = function crdtRoomOf(this: OnairClient, name: string, options?: CrdtRoomOptions): CrdtRoom {
  return crdtRoom(this, name, options);
};
