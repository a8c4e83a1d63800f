// A writer in its own worker for the crash tests: adds batches one after another and acknowledges each add()
// only after it resolved (committed). The page terminates this worker at random moments.
import { openIndexStore } from '../../packages/colbert-web/src/store/index-store.js';
import { randomStoreDocuments } from '../../packages/colbert-web/src/testing/random-documents.js';
import { testIdentity } from '../../packages/colbert-web/src/testing/test-identity.js';
import type { BatchSpec } from './store-checks.js';

interface RunMessage {
  name: string;
  dim: number;
  segmentBytes: number;
  batches: BatchSpec[];
}

self.onmessage = async (event: MessageEvent<RunMessage>) => {
  const { name, dim, segmentBytes, batches } = event.data;
  try {
    const docs = batches.map((b) => randomStoreDocuments({ seed: b.seed, count: b.count, dim, idPrefix: b.prefix }));
    const store = await openIndexStore(name, { identity: testIdentity(dim), segmentBytes });
    self.postMessage({ type: 'opened' });
    for (let i = 0; i < batches.length; i++) {
      await store.add(docs[i]!);
      self.postMessage({ type: 'ack', batch: i });
    }
    await store.close();
    self.postMessage({ type: 'done' });
  } catch (error) {
    self.postMessage({ type: 'error', message: String(error), code: (error as { code?: string }).code });
  }
};
