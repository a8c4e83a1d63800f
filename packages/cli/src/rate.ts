/** "1,234 docs (310/s, 41k tokens/s), 12% — ETA 3m 05s" from counts, elapsed time and a fraction done. */
export function rateLine(docs: number, tokens: number, startedMs: number, fraction: number): string {
  const seconds = Math.max(1e-3, (performance.now() - startedMs) / 1000);
  const eta = fraction > 0.001 && fraction < 1 ? ` — ETA ${duration((seconds / fraction) * (1 - fraction))}` : '';
  const pct = `${Math.min(100, Math.floor(fraction * 100))}%`;
  return `${docs.toLocaleString('en')} docs (${Math.round(docs / seconds)}/s, ${compact(tokens / seconds)} tokens/s), ${pct}${eta}`;
}

function compact(n: number): string {
  return n >= 1e6 ? `${(n / 1e6).toFixed(1)}M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)}k` : `${Math.round(n)}`;
}

function duration(s: number): string {
  if (s < 60) return `${Math.round(s)}s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m}m ${String(Math.round(s % 60)).padStart(2, '0')}s` : `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`;
}
