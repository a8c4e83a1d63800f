import { join } from 'node:path';
import { generateOnnxExports, generatePreset, writeCheckpoint } from '@colbert-web/fixtures';

/**
 * Writes the checkpoints the browser tests load but ../shared does not hold: the golden recipes (bit-identical to
 * the golden fixtures) with Hugging Face–style ONNX exports beside them, served under /__generated/.
 */
export default async function globalSetup(): Promise<void> {
  const root = join(import.meta.dirname, '.generated');
  const bert = generatePreset('tiny');
  for (const [path, bytes] of await generateOnnxExports(bert, 'backbone')) bert.set(path, bytes);
  await writeCheckpoint(join(root, 'tiny-exports'), bert);
  const modernbert = generatePreset('modernbert-tiny');
  for (const [path, bytes] of await generateOnnxExports(modernbert, 'dense')) modernbert.set(path, bytes);
  await writeCheckpoint(join(root, 'modernbert-exports'), modernbert);
}
