/**
 * A small typed event emitter. `Events` maps each event name to the tuple of arguments its
 * handlers receive, e.g. `{ closed: [code: number, reason: string] }`.
 *
 * Contract: a handler that throws does not stop the other handlers of the same emission; the
 * exception is rethrown from a microtask so it still reaches the host's error reporting.
 */
export type EventMap<E> = { [K in keyof E]: unknown[] };

// Stored untyped; `on`/`emit` keep the per-event types at the API boundary.
type AnyHandler = (...args: any[]) => void;

interface Entry {
  handler: AnyHandler;
  once: boolean;
}

export class Emitter<Events extends EventMap<Events>> {
  private readonly entries = new Map<keyof Events, Entry[]>();

  /** Adds a handler; the returned function removes exactly this registration. */
  on<K extends keyof Events>(event: K, handler: (...args: Events[K]) => void): () => void {
    return this.add(event, handler, false);
  }

  /** Like `on`, but the handler is removed before its first call. */
  once<K extends keyof Events>(event: K, handler: (...args: Events[K]) => void): () => void {
    return this.add(event, handler, true);
  }

  /** Removes one registration of `handler` (the oldest), if any. */
  off<K extends keyof Events>(event: K, handler: (...args: Events[K]) => void): void {
    const list = this.entries.get(event);
    if (!list) return;
    const index = list.findIndex((e) => e.handler === handler);
    if (index >= 0) this.removeEntry(event, list[index]!);
  }

  /** Calls the handlers registered now, in order. Returns whether any handler was called. */
  emit<K extends keyof Events>(event: K, ...args: Events[K]): boolean {
    const list = this.entries.get(event);
    if (!list || list.length === 0) return false;
    // Iterate over a snapshot: handlers may add or remove handlers while we emit.
    for (const entry of [...list]) {
      if (entry.once) {
        if (!this.removeEntry(event, entry)) continue; // removed by an earlier handler
      } else if (!list.includes(entry)) {
        continue;
      }
      try {
        entry.handler(...args);
      } catch (err) {
        queueMicrotask(() => {
          throw err;
        });
      }
    }
    return true;
  }

  listenerCount<K extends keyof Events>(event: K): number {
    return this.entries.get(event)?.length ?? 0;
  }

  removeAllListeners(event?: keyof Events): void {
    if (event === undefined) this.entries.clear();
    else this.entries.delete(event);
  }

  private add(event: keyof Events, handler: AnyHandler, once: boolean): () => void {
    if (typeof handler !== 'function') throw new TypeError('handler must be a function');
    const entry: Entry = { handler, once };
    const list = this.entries.get(event);
    if (list) list.push(entry);
    else this.entries.set(event, [entry]);
    return () => {
      this.removeEntry(event, entry);
    };
  }

  private removeEntry(event: keyof Events, entry: Entry): boolean {
    const list = this.entries.get(event);
    if (!list) return false;
    const index = list.indexOf(entry);
    if (index < 0) return false;
    list.splice(index, 1);
    if (list.length === 0) this.entries.delete(event);
    return true;
  }
}
