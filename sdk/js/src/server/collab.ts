import { OnairError } from '../common/OnairError.js';
import type { HttpMethod } from './OnairServer.js';

/** Sends bytes to the HTTP API and returns the reply's bytes (OnairServer.requestBytes). */
export type BytesRequestFn = (method: HttpMethod, path: string, body?: Uint8Array) => Promise<Uint8Array>;

function documentPath(where: string, name: unknown): string {
  // "." and ".." would be resolved as path steps by the URL parser: they name no document here.
  if (typeof name !== 'string' || name.length === 0 || name === '.' || name === '..') {
    throw new OnairError('invalid_argument', `${where}: name must be a non-empty string other than "." and ".."`);
  }
  return `/v1/collab/documents/${encodeURIComponent(name)}`;
}

/**
 * Yjs documents seen from the app backend (`server.collab`, HTTP `/v1/collab/documents/{name}`):
 * the same documents y-websocket, Hocuspocus and `client.crdtRoom()` clients edit. No `Y.Doc`
 * lives here: pass the bytes to `Y.applyUpdate`, or make them with `Y.encodeStateAsUpdate`.
 */
export class ServerCollab {
  private readonly call: BytesRequestFn;

  /** @internal Use `server.collab`. */
  constructor(call: BytesRequestFn) {
    this.call = call;
  }

  /** The whole document as one Yjs update (encoding v1); an empty document for a new name. */
  async getDocument(name: string): Promise<Uint8Array> {
    return this.call('GET', documentPath('collab.getDocument', name));
  }

  /**
   * What the document holds past `stateVector` (`Y.encodeStateVector(copy)` of the backend's own
   * copy), as one Yjs update (encoding v1) to apply to that copy: a backend that keeps a copy
   * fetches only what is new. Deletions always come whole, as in any Yjs sync.
   */
  async getChanges(name: string, stateVector: Uint8Array): Promise<Uint8Array> {
    const path = `${documentPath('collab.getChanges', name)}/diff`;
    if (!(stateVector instanceof Uint8Array) || stateVector.length === 0) {
      throw new OnairError('invalid_argument', 'collab.getChanges: stateVector must be a non-empty Uint8Array (Y.encodeStateVector)');
    }
    return this.call('POST', path, stateVector);
  }

  /**
   * Applies a Yjs update (encoding v1) as a client's edit: resolves once it is stored, when every
   * connected client of the document is sent it. Rejects with `invalid_argument` for bytes that
   * are not an update, `payload_too_large` past the document's size limit, `service_unavailable`
   * (with `retryAfterMs`) when it was not stored.
   */
  async applyUpdate(name: string, update: Uint8Array): Promise<void> {
    const path = documentPath('collab.applyUpdate', name);
    if (!(update instanceof Uint8Array) || update.length === 0) {
      throw new OnairError('invalid_argument', 'collab.applyUpdate: update must be a non-empty Uint8Array');
    }
    await this.call('POST', path, update);
  }
}
