import { generatePreset, writeCheckpoint } from '@colbert-web/fixtures';

/**
 * Writes the offline default model (the seeded `lexical` preset, ~16 MB) into `dir`. Generation is
 * deterministic and takes well under a second, so it simply runs on every start: the served model always
 * matches the generator in this checkout.
 */
export async function ensureLexicalModel(dir: string): Promise<void> {
  await writeCheckpoint(dir, generatePreset('lexical'));
}
