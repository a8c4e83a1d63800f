import type { DocumentInput, Metadata } from 'colbert-web';

/** Pasted text → one document per paragraph (blank-line separated), ids `pasted-<time>-<n>`. */
export function pastedDocuments(text: string): DocumentInput[] {
  const stamp = Date.now().toString(36);
  return text
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter(Boolean)
    .map((p, i) => ({ id: `pasted-${stamp}-${i}`, text: p }));
}

/**
 * An uploaded file → documents: .jsonl lines as BEIR (`_id` or `id`, optional `title`, `text`, optional
 * `metadata`), anything else one document per file with the file name as id. Long files are split into
 * windows by the index, not cut.
 */
export async function fileDocuments(file: File): Promise<DocumentInput[]> {
  const text = await file.text();
  if (!file.name.toLowerCase().endsWith('.jsonl')) return [{ id: file.name, text, metadata: { file: file.name } }];
  return jsonlDocuments(text, file.name);
}

export function jsonlDocuments(text: string, source: string): DocumentInput[] {
  return text
    .split('\n')
    .map((line, n) => [line.trim(), n + 1] as const)
    .filter(([line]) => line)
    .map(([line, n]) => {
      const row = JSON.parse(line) as { _id?: unknown; id?: unknown; title?: unknown; text?: unknown; metadata?: unknown };
      const id = row._id ?? row.id;
      if (typeof id !== 'string' || typeof row.text !== 'string') throw new Error(`${source} line ${n}: needs a string "_id" (or "id") and "text".`);
      const title = typeof row.title === 'string' && row.title ? `${row.title} ` : '';
      const metadata = typeof row.metadata === 'object' && row.metadata !== null ? (row.metadata as Metadata) /* add() checks its values */ : undefined;
      return { id, text: title + row.text, ...(metadata ? { metadata } : {}) };
    });
}
