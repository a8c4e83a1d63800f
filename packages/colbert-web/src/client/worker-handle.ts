import { releaseProxy, wrap } from 'comlink';
import type { Endpoint, Remote } from 'comlink';
import { ColbertError, ErrorCode } from '../errors.js';
import { installTransferHandlers } from '../protocol/transfer-handlers.js';

/** A started worker (dedicated, or a port on a shared one), its comlink proxy, and how it fails to start. */
export interface WorkerHandle<T> {
  readonly remote: Remote<T>;
  /**
   * Rejects with BACKEND_FAILED when the worker cannot start (offline without a cached script, a CSP, a bundler
   * that did not emit it); race it against the first call, which would otherwise never settle.
   */
  readonly failedToStart: Promise<never>;
  /** True once `failedToStart` has rejected. */
  readonly startFailed: boolean;
  /** True once close() was called. */
  readonly closed: boolean;
  /** Ends this handle's connection now (terminates a dedicated worker; a shared one lives on for other tabs). */
  disconnect(): void;
  /**
   * Lets the worker finish `close()`, then releases the proxy and disconnects, whatever close() did. Only the
   * first call does anything.
   */
  close(closeRemote: () => Promise<void>): Promise<void>;
}

/** What failed to start and how to end the connection, for `connect`. */
interface Connection {
  readonly endpoint: Endpoint;
  /** The object whose 'error' event says the script did not load. */
  readonly errors: EventTarget;
  disconnect(): void;
}

function connect<T>(connection: Connection): WorkerHandle<T> {
  installTransferHandlers();
  const remote = wrap<T>(connection.endpoint);
  const failedToStart = new Promise<never>((_, reject) => {
    connection.errors.addEventListener(
      'error',
      (event) => reject(new ColbertError(ErrorCode.BackendFailed, `The worker failed to start: ${(event as ErrorEvent).message || 'its script could not be loaded'}.`)),
      { once: true },
    );
  });
  let startFailed = false;
  // Observed by whoever races it (never an unhandled rejection); registered first, so the flag is set before they see it.
  failedToStart.catch(() => (startFailed = true));
  let closed = false;
  return {
    remote,
    failedToStart,
    get startFailed() {
      return startFailed;
    },
    get closed() {
      return closed;
    },
    disconnect: () => connection.disconnect(),
    async close(closeRemote) {
      if (closed) return;
      closed = true;
      try {
        await closeRemote();
      } finally {
        remote[releaseProxy]();
        connection.disconnect();
      }
    },
  };
}

export function startWorker<T>(worker: Worker): WorkerHandle<T> {
  return connect<T>({ endpoint: worker, errors: worker, disconnect: () => worker.terminate() });
}

/** Connects to a SharedWorker: its port is this handle's channel; `onDisconnect` runs when the handle ends. */
export function connectSharedWorker<T>(worker: SharedWorker, onDisconnect: () => void): WorkerHandle<T> {
  worker.port.start();
  return connect<T>({
    endpoint: worker.port,
    errors: worker,
    disconnect: () => {
      worker.port.close();
      onDisconnect();
    },
  });
}
