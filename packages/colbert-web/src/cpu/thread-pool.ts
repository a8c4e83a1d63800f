import type { Worker as NodeWorker } from 'node:worker_threads';
import { ColbertError, ErrorCode } from '../errors.js';
import { browserWorkerSource, nodeWorkerSource } from './worker-source.js';

interface Reply {
  type: 'ready' | 'done' | 'error';
  message?: string;
}

/** One worker thread, browser or Node, behind the little the pool needs. */
interface Thread {
  post(message: unknown): void;
  /** Node only: whether the thread keeps the process alive (only while it has work). */
  hold(held: boolean): void;
  terminate(): void;
  next(): Promise<Reply>;
}

const isNode = typeof process !== 'undefined' && typeof process.versions?.node === 'string';

function queue(): { push(reply: Reply): void; next(): Promise<Reply> } {
  const replies: Reply[] = [];
  const waiting: ((reply: Reply) => void)[] = [];
  return {
    push: (reply) => (waiting.length ? waiting.shift()!(reply) : replies.push(reply)),
    next: () => (replies.length ? Promise.resolve(replies.shift()!) : new Promise((resolve) => waiting.push(resolve))),
  };
}

async function nodeThread(): Promise<Thread> {
  // A computed specifier, so that browser bundlers leave this Node-only import alone.
  const specifier = 'node:worker_threads';
  const { Worker } = (await import(/* @vite-ignore */ specifier)) as typeof import('node:worker_threads');
  const worker: NodeWorker = new Worker(nodeWorkerSource, { eval: true });
  const replies = queue();
  worker.on('message', (reply: Reply) => replies.push(reply));
  worker.on('error', (error) => replies.push({ type: 'error', message: String(error) }));
  return {
    post: (message) => worker.postMessage(message),
    hold: (held) => (held ? worker.ref() : worker.unref()),
    terminate: () => void worker.terminate(),
    next: replies.next,
  };
}

function browserThread(): Thread {
  const url = URL.createObjectURL(new Blob([browserWorkerSource], { type: 'text/javascript' }));
  const worker = new Worker(url, { name: 'colbert-web maxsim' });
  URL.revokeObjectURL(url);
  const replies = queue();
  worker.onmessage = (event: MessageEvent<Reply>) => replies.push(event.data);
  worker.onerror = (event) => replies.push({ type: 'error', message: event.message });
  return { post: (message) => worker.postMessage(message), hold: () => undefined, terminate: () => worker.terminate(), next: replies.next };
}

function failure(reply: Reply, what: string): ColbertError {
  return new ColbertError(ErrorCode.BackendFailed, `A CPU scoring thread failed while ${what}: ${reply.message ?? reply.type}.`);
}

/**
 * Helper threads sharing one WebAssembly memory with the caller. A job runs on every helper and on the calling
 * thread at once; the kernels split the documents among them through an atomic counter in the job block.
 *
 * @example
 * const pool = await ThreadPool.create(3, sharedModule, arena.memory);
 * await pool.run('scoreInt8', job, () => kernels.scoreInt8(job));
 */
export class ThreadPool {
  private constructor(private readonly threads: Thread[]) {}

  /** `helpers` threads, each with the kernels instantiated on `memory` (shared). */
  static async create(helpers: number, module: WebAssembly.Module, memory: WebAssembly.Memory): Promise<ThreadPool> {
    const threads = await Promise.all(Array.from({ length: helpers }, () => (isNode ? nodeThread() : Promise.resolve(browserThread()))));
    const pool = new ThreadPool(threads);
    try {
      for (const thread of threads) thread.post({ type: 'init', module, memory });
      for (const thread of threads) {
        const reply = await thread.next();
        if (reply.type !== 'ready') throw failure(reply, 'starting');
      }
      for (const thread of threads) thread.hold(false);
    } catch (error) {
      pool.dispose();
      throw error;
    }
    return pool;
  }

  get size(): number {
    return this.threads.length;
  }

  /** Runs `kernel(job)` on every helper while `local` (the same kernel) runs here; resolves when all are done. */
  async run(kernel: string, job: number, local: () => void): Promise<void> {
    for (const thread of this.threads) {
      thread.hold(true);
      thread.post({ type: 'run', kernel, job });
    }
    try {
      local();
    } finally {
      const replies = await Promise.all(this.threads.map((thread) => thread.next()));
      for (const thread of this.threads) thread.hold(false);
      const failed = replies.find((reply) => reply.type !== 'done');
      if (failed) throw failure(failed, 'scoring');
    }
  }

  dispose(): void {
    for (const thread of this.threads) thread.terminate();
    this.threads.length = 0;
  }
}
