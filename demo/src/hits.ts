import type { Hit, KeywordMatch, Match, SearchHandle, TokenSimilarities } from 'colbert-web';

/**
 * One hit: id, score, the text with every matched word highlighted (stronger for larger q·d), a button that
 * shows the token-level MaxSim heatmap, and delete.
 */
export function renderHit(hit: Hit, query: string, search: SearchHandle, onDelete: (id: string) => void): HTMLLIElement {
  const item = document.createElement('li');
  item.className = 'hit';
  item.dataset['id'] = hit.id;
  item.dataset['score'] = String(hit.score);
  const header = document.createElement('header');
  header.append(span('id', hit.id), span('score', hit.score.toFixed(3)));
  if (hit.truncated) header.append(span('truncated', 'truncated'));
  // Keyword and hybrid searches: which ranking(s) found the hit.
  if (hit.found) header.append(span('found', hit.found.join(' + ')));
  const heat = button('token heatmap', async () => {
    const open = item.querySelector('.heatmap');
    if (open) return open.remove();
    item.append(heatmap(await search.similarities(query, hit.id)));
  });
  header.append(heat, button('delete', () => onDelete(hit.id)));
  const text = document.createElement('p');
  text.append(...highlighted(hit.text ?? '', hit.matches ?? [], hit.keywordMatches ?? []));
  item.append(header, text);
  return item;
}

/**
 * Matches below this q·d are not highlighted: every query token has some best match, and the weak ones are noise
 * to a reader. Only query words are highlighted (`queryKind` 'word': not [CLS], the prefix, [SEP] or [MASK] rows).
 */
const HIGHLIGHT_MIN = 0.5;

/**
 * The text as nodes, each matched token's span wrapped in <mark> (query tokens that matched it in `title`). A
 * pooled row (pool factor > 1) stands for several tokens: every one of them is marked. A word the keyword ranking
 * matched is marked at full strength, its analysed term in `title`.
 */
function highlighted(text: string, matches: readonly Match[], keyword: readonly KeywordMatch[]): Node[] {
  const marks = new Map<number, { end: number; score: number; tokens: string[] }>();
  for (const k of keyword) marks.set(k.start, { end: k.end, score: 1, tokens: [`keyword "${k.term}"`] });
  for (const m of matches) {
    if (m.score < HIGHLIGHT_MIN || m.queryKind !== 'word') continue;
    for (const [start, end] of m.spans) {
      if (start < 0) continue;
      const mark = marks.get(start) ?? { end, score: 0, tokens: [] };
      mark.score = Math.max(mark.score, m.score);
      mark.tokens.push(m.queryToken);
      marks.set(start, mark);
    }
  }
  const nodes: Node[] = [];
  let at = 0;
  for (const [start, mark] of [...marks].sort((a, b) => a[0] - b[0])) {
    if (start < at) continue;
    nodes.push(document.createTextNode(text.slice(at, start)));
    const el = document.createElement('mark');
    el.textContent = text.slice(start, mark.end);
    el.title = `matched ${mark.tokens.join(', ')} (${mark.score.toFixed(2)})`;
    el.style.setProperty('--strength', String(Math.min(1, 0.25 + mark.score * 0.75)));
    nodes.push(el);
    at = mark.end;
  }
  nodes.push(document.createTextNode(text.slice(at)));
  return nodes;
}

/**
 * Query tokens (rows) × document rows (columns), each row's best cell outlined: MaxSim made visible. In a pooled
 * index a column is a pooled row, headed by all of its tokens.
 */
function heatmap(s: TokenSimilarities): HTMLElement {
  const wrap = document.createElement('div');
  wrap.className = 'heatmap';
  const table = document.createElement('table');
  const head = table.createTHead().insertRow();
  head.append(document.createElement('th'));
  s.documentRows.forEach((row) => {
    const th = Object.assign(document.createElement('th'), { textContent: row.tokens.join(' · ') });
    th.dataset['tokens'] = String(row.tokens.length);
    if (row.tokens.length > 1) th.className = 'pooled';
    head.append(th);
  });
  const body = table.createTBody();
  const columns = s.documentTokens.length;
  s.queryTokens.forEach((token, q) => {
    const row = body.insertRow();
    row.append(Object.assign(document.createElement('th'), { textContent: token }));
    const values = s.values.subarray(q * columns, (q + 1) * columns);
    const best = values.indexOf(Math.max(...values));
    values.forEach((v, d) => {
      const cell = row.insertCell();
      cell.style.background = `rgba(220, 38, 38, ${Math.max(0, Math.min(1, v))})`;
      cell.title = `${token} · ${s.documentTokens[d]}: ${v.toFixed(3)}`;
      if (d === best) cell.className = 'best';
    });
  });
  wrap.append(table);
  return wrap;
}

function span(className: string, text: string): HTMLSpanElement {
  return Object.assign(document.createElement('span'), { className, textContent: text });
}

function button(label: string, onClick: () => unknown): HTMLButtonElement {
  const b = Object.assign(document.createElement('button'), { textContent: label, type: 'button' });
  b.addEventListener('click', () => void onClick());
  return b;
}
