/**
 * One writer per index across tabs and workers: a Web Lock named after the index. The browser releases it when
 * the holder's context dies (tab closed, worker terminated, crash), so a killed writer never wedges the index.
 * Where there is no `navigator.locks` (Node, tests), a per-process queue gives the same ordering in-process.
 */
const localQueues = new Map<string, Promise<unknown>>();

interface LockManagerLike {
  request<T>(name: string, callback: () => Promise<T>): Promise<T>;
}

function lockManager(): LockManagerLike | undefined {
  const nav = (globalThis as { navigator?: { locks?: LockManagerLike } }).navigator;
  return nav?.locks;
}

/**
 * Runs `task` while holding the index's write lock.
 *
 * @example
 * await withWriteLock('notes', async () => { await writeSegments(); await commitManifest(); });
 */
export async function withWriteLock<T>(index: string, task: () => Promise<T>): Promise<T> {
  const name = `colbert-web/index/${index}/write`;
  const locks = lockManager();
  if (locks) return locks.request(name, task);
  const previous = localQueues.get(name) ?? Promise.resolve();
  const run = previous.then(task, task);
  const settled = run.then(
    () => undefined,
    () => undefined,
  );
  localQueues.set(name, settled);
  try {
    return await run;
  } finally {
    if (localQueues.get(name) === settled) localQueues.delete(name);
  }
}
