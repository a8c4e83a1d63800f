import { join } from 'node:path';
import { generateOnnxExports, generatePreset, writeCheckpoint } from '@colbert-web/fixtures';
import { compactCheckpointFiles } from '../packages/cli/src/optimize-model.js';

/**
 * Writes the checkpoints the browser tests load but ../shared does not hold: the golden recipes (bit-identical to
 * the golden fixtures) with Hugging Face–style ONNX exports beside them, and their `optimize-model --weights q4`
 * and `--weights int8` copies, served under /__generated/.
 */
export default async function globalSetup(): Promise<void> {
  const root = join(import.meta.dirname, '.generated');
  const bert = generatePreset('tiny');
  await writeCheckpoint(join(root, 'tiny-q4'), compactCheckpointFiles(bert, 'q4'));
  await writeCheckpoint(join(root, 'tiny-int8'), compactCheckpointFiles(bert, 'int8'));
  for (const [path, bytes] of await generateOnnxExports(bert, 'backbone')) bert.set(path, bytes);
  await writeCheckpoint(join(root, 'tiny-exports'), bert);
  const modernbert = generatePreset('modernbert-tiny');
  await writeCheckpoint(join(root, 'modernbert-q4'), compactCheckpointFiles(modernbert, 'q4'));
  await writeCheckpoint(join(root, 'modernbert-int8'), compactCheckpointFiles(modernbert, 'int8'));
  for (const [path, bytes] of await generateOnnxExports(modernbert, 'dense')) modernbert.set(path, bytes);
  await writeCheckpoint(join(root, 'modernbert-exports'), modernbert);
}
