import { checkLiveId, publishArgs, type LivePublishMeta, type LivePublishResult } from '../common/live.js';
import type { RequestFn } from './rooms.js';

/** Live broadcasts produced by the app backend (`server.live`). */
export class ServerLive {
  private readonly call: RequestFn;

  /** @internal Use `server.live`. */
  constructor(call: RequestFn) {
    this.call = call;
  }

  /** Announces or refreshes a broadcast (`POST /v1/live/publish`). */
  async publish(meta: LivePublishMeta): Promise<LivePublishResult> {
    const result = await this.call<LivePublishResult | undefined>('POST', '/v1/live/publish', publishArgs(meta));
    return { ...(result ?? {}), ok: true };
  }

  /** Ends a broadcast (`POST /v1/live/unpublish`); attached consumers get `ended`. */
  async unpublish(liveId: string): Promise<{ ok: true }> {
    await this.call('POST', '/v1/live/unpublish', { liveId: checkLiveId('live.unpublish', liveId) });
    return { ok: true };
  }
}
