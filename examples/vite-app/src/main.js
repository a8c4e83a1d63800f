// The README example: index two documents in this browser, search them, show which words matched.
import { createSearch } from 'colbert-web';

const search = await createSearch({ model: '/models/lexical/', index: 'example' });
await search.add([
  { id: 'a1', text: 'Aspirin lowers the risk of a second heart attack.', metadata: { topic: 'health' } },
  { id: 'b1', text: 'Sourdough bread rises slowly at room temperature.', metadata: { topic: 'food' } },
]);
const hits = await search.search('heart attack', { k: 5, explain: true });
const out = /** @type {HTMLElement} */ (document.querySelector('#hits'));
out.textContent = hits.map((h) => `${h.id} ${h.score.toFixed(2)} ${h.matches?.map((m) => m.documentToken).join(' ')}`).join('\n');

// For scripts/test-package.mjs, which runs this page in Chromium.
Object.assign(globalThis, { exampleResult: { hits, info: await search.info() } });
