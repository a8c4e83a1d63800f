/**
 * colbert-web: ColBERT late-interaction search in the browser.
 *
 * @example
 * import { createEncoder } from 'colbert-web';
 * const encoder = await createEncoder({ model: '/models/lexical' });
 * const [query] = await encoder.encode([{ text: 'heart attack risk', kind: 'query' }]);
 */
import './disposable-globals.js';

export { createSearch } from './client/create-search.js';
export type { SearchHandle } from './client/create-search.js';
export { createEncoder } from './client/create-encoder.js';
export type { CreateEncoderOptions, RemoteEncoder } from './client/create-encoder.js';
export { clearModelCache } from './model/files/cached-files.js';
export * from './common-exports.js';
