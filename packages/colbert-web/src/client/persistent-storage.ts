/**
 * Asks the browser to keep this origin's storage (IndexedDB, Cache API) under storage pressure. Main-thread
 * only (`navigator.storage.persist` is not in workers). Resolves false where unsupported or refused.
 */
export async function requestPersistentStorage(): Promise<boolean> {
  try {
    if (typeof navigator === 'undefined' || !navigator.storage?.persist) return false;
    return (await navigator.storage.persisted()) || (await navigator.storage.persist());
  } catch {
    return false;
  }
}
