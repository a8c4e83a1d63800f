/**
 * A Web Lock held for as long as a handle lives: a SharedWorker is told nothing when a page closes or crashes,
 * but it can ask for the same lock and is granted it exactly then. Resolves with the lock's name and its release,
 * or undefined where Web Locks are missing (the worker then only learns of an explicit close()).
 */
export async function holdTabLock(): Promise<{ name: string; release: () => void } | undefined> {
  if (typeof navigator === 'undefined' || !navigator.locks || typeof crypto?.randomUUID !== 'function') return undefined;
  const name = `colbert-web/handle/${crypto.randomUUID()}`;
  return new Promise((granted) => {
    void navigator.locks.request(name, () => new Promise<void>((release) => granted({ name, release })));
  });
}
