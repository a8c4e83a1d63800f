import { ColbertError, ErrorCode } from '../errors.js';
import type { ColbertSettings } from '../model/colbert-settings.js';
import type { ModelFiles } from '../model/files/model-files.js';

/**
 * Which model an index was built with. Two identities match when their file hash, dim and query/document
 * settings agree; `name` is for messages only (the same checkpoint is a folder for the CLI and a URL in the
 * browser).
 */
export interface ModelIdentity {
  /** Where the model came from, for messages ("org/model", a folder, a URL). */
  readonly name: string;
  /** SHA-256 (hex) over the checkpoint files that determine the vectors (see `hashModelFiles`). */
  readonly filesHash: string;
  readonly dim: number;
  readonly settings: IdentitySettings;
}

/** The ColBERT settings that change document or query vectors. */
export type IdentitySettings = Pick<
  ColbertSettings,
  'queryPrefix' | 'documentPrefix' | 'queryLength' | 'documentLength' | 'attendToExpansionTokens' | 'doQueryExpansion' | 'skiplistWords'
>;

/**
 * Why two identities differ, or undefined when they match (name is ignored).
 *
 * @example
 * const why = identityMismatch(stored, current); if (why) throw new Error(why);
 */
export function identityMismatch(stored: ModelIdentity, current: ModelIdentity): string | undefined {
  if (stored.dim !== current.dim) return `dim ${stored.dim} ≠ ${current.dim}`;
  if (stored.filesHash !== current.filesHash) return `model files differ (hash ${stored.filesHash.slice(0, 12)}… ≠ ${current.filesHash.slice(0, 12)}…)`;
  const a = stored.settings as unknown as Record<string, unknown>;
  const b = current.settings as unknown as Record<string, unknown>;
  for (const key of Object.keys(a).sort()) {
    if (JSON.stringify(a[key]) !== JSON.stringify(b[key])) return `setting ${key} differs (${JSON.stringify(a[key])} ≠ ${JSON.stringify(b[key])})`;
  }
  return undefined;
}

/** Throws `INDEX_MODEL_MISMATCH` naming the difference. `what` names the index or file. */
export function assertSameModel(stored: ModelIdentity, current: ModelIdentity, what: string): void {
  const why = identityMismatch(stored, current);
  if (why === undefined) return;
  throw new ColbertError(
    ErrorCode.IndexModelMismatch,
    `${what} was built with model "${stored.name}" but is being used with "${current.name}": ${why}. ` +
      'Open it with the model it was built with, or clear it and re-add the documents with this model.',
    { subject: what },
  );
}

/** Checks the shape of an identity read from storage or a file; throws `subject`-named INVALID errors. */
export function parseIdentity(value: unknown, onInvalid: (why: string) => Error): ModelIdentity {
  const v = (value ?? {}) as Record<string, unknown>;
  const s = (v['settings'] ?? {}) as Record<string, unknown>;
  if (typeof v['name'] !== 'string' || typeof v['filesHash'] !== 'string') throw onInvalid('model identity lacks name or filesHash');
  if (!Number.isSafeInteger(v['dim']) || (v['dim'] as number) < 1 || (v['dim'] as number) > 65536) throw onInvalid('model identity has an invalid dim');
  const strings = ['queryPrefix', 'documentPrefix'].every((k) => typeof s[k] === 'string');
  const ints = ['queryLength', 'documentLength'].every((k) => Number.isSafeInteger(s[k]));
  const bools = ['attendToExpansionTokens', 'doQueryExpansion'].every((k) => typeof s[k] === 'boolean');
  const list = Array.isArray(s['skiplistWords']) && (s['skiplistWords'] as unknown[]).every((w) => typeof w === 'string');
  if (!strings || !ints || !bools || !list) throw onInvalid('model identity has invalid settings');
  return value as ModelIdentity;
}

/** The checkpoint files whose bytes decide the vectors: backbone, tokenizer, settings, and every Dense module. */
async function identityFiles(files: ModelFiles): Promise<string[]> {
  const paths = ['config.json', 'config_sentence_transformers.json', 'modules.json', 'tokenizer.json'];
  if (await files.exists('model.safetensors')) paths.push('model.safetensors');
  const modulesBytes = await files.read('modules.json');
  const modules = JSON.parse(new TextDecoder().decode(modulesBytes)) as { path?: unknown }[];
  for (const m of Array.isArray(modules) ? modules : []) {
    if (typeof m.path !== 'string' || m.path === '') continue;
    for (const file of ['config.json', 'model.safetensors']) {
      if (await files.exists(`${m.path}/${file}`)) paths.push(`${m.path}/${file}`);
    }
  }
  return paths;
}

/**
 * SHA-256 over each identity file's path, length and bytes, in a fixed order, so the same checkpoint hashes
 * the same from a folder (CLI) and from a URL (browser). Uses Web Crypto (Node ≥ 20 and secure browser contexts).
 *
 * @example
 * const filesHash = await hashModelFiles(folderFiles('./model'));
 */
export async function hashModelFiles(files: ModelFiles, paths?: readonly string[]): Promise<string> {
  const list = paths ?? (await identityFiles(files));
  const digests: Uint8Array[] = [];
  for (const path of list) {
    const bytes = await files.read(path);
    const head = new TextEncoder().encode(`${path}\u0000${bytes.length}\u0000`);
    const parts = new Uint8Array(head.length + 32);
    parts.set(head);
    parts.set(new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>)), head.length);
    digests.push(parts);
  }
  const all = new Uint8Array(digests.reduce((n, d) => n + d.length, 0));
  let at = 0;
  for (const d of digests) {
    all.set(d, at);
    at += d.length;
  }
  const hash = new Uint8Array(await crypto.subtle.digest('SHA-256', all));
  return Array.from(hash, (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * The identity of a loaded model: name, file hash, dim and the ColBERT settings.
 *
 * @example
 * const identity = await modelIdentity(files, encoder.checkpoint);
 */
export async function modelIdentity(files: ModelFiles, checkpoint: { dim: number; settings: ColbertSettings }, name = files.location): Promise<ModelIdentity> {
  const { queryPrefix, documentPrefix, queryLength, documentLength, attendToExpansionTokens, doQueryExpansion, skiplistWords } = checkpoint.settings;
  return {
    name,
    filesHash: await hashModelFiles(files),
    dim: checkpoint.dim,
    settings: { queryPrefix, documentPrefix, queryLength, documentLength, attendToExpansionTokens, doQueryExpansion, skiplistWords: [...skiplistWords] },
  };
}
