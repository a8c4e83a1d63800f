// The Node API: encode a query and two documents in-process (no worker), rank the documents by MaxSim.
//   node main.mjs <checkpoint folder or URL>
import { loadEncoderFrom } from 'colbert-web/node';

const encoder = await loadEncoderFrom(process.argv[2] ?? './models/lexical');
const [query, ...documents] = await encoder.encode([
  { text: 'heart attack', kind: 'query' },
  { text: 'Aspirin lowers the risk of a second heart attack.', kind: 'document' },
  { text: 'Sourdough bread rises slowly at room temperature.', kind: 'document' },
]);

/** @param {import('colbert-web/node').EncodedText} q @param {import('colbert-web/node').EncodedText} d */
function maxSim(q, d) {
  let total = 0;
  for (let i = 0; i < q.rows; i++) {
    let best = -Infinity;
    for (let j = 0; j < d.rows; j++) {
      let dot = 0;
      for (let k = 0; k < q.dim; k++) dot += q.vectors[i * q.dim + k] * d.vectors[j * d.dim + k];
      best = Math.max(best, dot);
    }
    total += best;
  }
  return total;
}

const scores = documents.map((d) => maxSim(query, d));
console.log(JSON.stringify({ backend: encoder.backend.name, queryRows: query.rows, dim: query.dim, scores }));
await encoder.close();
