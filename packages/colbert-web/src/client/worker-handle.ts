import { releaseProxy, wrap } from 'comlink';
import type { Remote } from 'comlink';
import { ColbertError, ErrorCode } from '../errors.js';
import { installTransferHandlers } from '../protocol/transfer-handlers.js';

/** A started worker, its comlink proxy, and a promise that rejects if its script fails to load. */
export interface WorkerHandle<T> {
  readonly worker: Worker;
  readonly remote: Remote<T>;
  /**
   * Rejects with BACKEND_FAILED when the worker cannot start (offline without a cached script, a CSP, a bundler
   * that did not emit it); race it against the first call, which would otherwise never settle.
   */
  readonly failedToStart: Promise<never>;
  /** True once close() was called. */
  readonly closed: boolean;
  /**
   * Lets the worker finish `close()`, then releases the proxy and terminates it, whatever close() did. Only the
   * first call does anything.
   */
  close(closeRemote: () => Promise<void>): Promise<void>;
}

export function startWorker<T>(worker: Worker): WorkerHandle<T> {
  installTransferHandlers();
  const remote = wrap<T>(worker);
  const failedToStart = new Promise<never>((_, reject) => {
    worker.addEventListener(
      'error',
      (event) => reject(new ColbertError(ErrorCode.BackendFailed, `The worker failed to start: ${event.message || 'its script could not be loaded'}.`)),
      { once: true },
    );
  });
  failedToStart.catch(() => undefined); // observed by whoever races it; never an unhandled rejection
  let closed = false;
  return {
    worker,
    remote,
    failedToStart,
    get closed() {
      return closed;
    },
    async close(closeRemote) {
      if (closed) return;
      closed = true;
      try {
        await closeRemote();
      } finally {
        remote[releaseProxy]();
        worker.terminate();
      }
    },
  };
}
