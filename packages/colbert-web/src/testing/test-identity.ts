import type { ModelIdentity } from '../store/model-identity.js';

/** A model identity for tests and benchmarks that need no real checkpoint. */
export function testIdentity(dim = 32, filesHash = 'a'.repeat(64)): ModelIdentity {
  return {
    name: 'test-model',
    filesHash,
    dim,
    settings: { queryPrefix: '[Q]', documentPrefix: '[D]', queryLength: 32, documentLength: 180, attendToExpansionTokens: false, doQueryExpansion: true, skiplistWords: ['.', ','] },
  };
}
