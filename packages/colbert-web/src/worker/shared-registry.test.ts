import { describe, expect, it } from 'vitest';
import { ColbertError } from '../errors.js';
import type { ProgressEvent } from '../protocol/progress.js';
import { SharedRegistry } from './shared-registry.js';

class Thing {
  closed = 0;
  constructor(readonly n: number) {}
  async close(): Promise<void> {
    this.closed++;
  }
}

const deferred = <T>() => {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
};

describe('SharedRegistry', () => {
  it('loads once per key, shares progress with every waiter, closes with the last release', async () => {
    const registry = new SharedRegistry<Thing>();
    const gate = deferred<void>();
    let loads = 0;
    const load = async (_signal: AbortSignal, progress: (e: ProgressEvent) => void): Promise<Thing> => {
      loads++;
      await gate.promise;
      progress({ phase: 'encode', loaded: 1, total: 1 });
      return new Thing(loads);
    };
    const heard: string[] = [];
    const first = registry.acquire('k', load, { onProgress: () => heard.push('first') });
    const second = registry.acquire('k', load, { onProgress: () => heard.push('second') });
    gate.resolve();
    const [a, b] = await Promise.all([first, second]);
    expect(loads).toBe(1);
    expect(a.value).toBe(b.value);
    expect(heard.sort()).toEqual(['first', 'second']);
    expect(a.users).toBe(2);
    await a.release();
    await a.release(); // only the first release counts
    expect(b.value.closed).toBe(0);
    expect(b.users).toBe(1);
    await b.release();
    expect(b.value.closed).toBe(1);
    expect(registry.size).toBe(0);
    // A later acquire loads anew.
    const c = await registry.acquire('k', load);
    expect(c.value).not.toBe(a.value);
  });

  it('an aborted waiter stops waiting; the load is aborted only when nobody waits', async () => {
    const registry = new SharedRegistry<Thing>();
    const gate = deferred<void>();
    let loadSignal: AbortSignal | undefined;
    const load = async (signal: AbortSignal): Promise<Thing> => {
      loadSignal = signal;
      await gate.promise;
      return new Thing(1);
    };
    const stop = new AbortController();
    const leaving = registry.acquire('k', load, { signal: stop.signal });
    const staying = registry.acquire('k', load);
    stop.abort();
    await expect(leaving).rejects.toMatchObject({ code: 'ABORTED' });
    expect(loadSignal!.aborted).toBe(false);
    gate.resolve();
    expect((await staying).value.n).toBe(1);

    const gate2 = deferred<void>();
    let produced: Thing | undefined;
    const load2 = async (signal: AbortSignal): Promise<Thing> => {
      loadSignal = signal;
      await gate2.promise;
      return (produced = new Thing(2));
    };
    const only = new AbortController();
    const alone = registry.acquire('j', load2, { signal: only.signal });
    only.abort();
    await expect(alone).rejects.toBeInstanceOf(ColbertError);
    expect(loadSignal!.aborted).toBe(true);
    gate2.resolve();
    await new Promise((r) => setTimeout(r, 0));
    // Whatever the abandoned load produced is closed, and the key is free again.
    expect(produced?.closed).toBe(1);
    expect(registry.size).toBe(1);
  });

  it('a failed load rejects every waiter and is forgotten', async () => {
    const registry = new SharedRegistry<Thing>();
    const load = async (): Promise<Thing> => {
      throw new Error('boom');
    };
    await expect(Promise.all([registry.acquire('k', load), registry.acquire('k', load)])).rejects.toThrow('boom');
    expect(registry.size).toBe(0);
  });
});
