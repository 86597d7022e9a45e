/**
 * The two-character pieces of a search text, as the database's text_bigrams() makes them, so
 * that a query for "危房改造" uses the GIN index on every ticket's pieces. Undefined for a
 * one-character query, which is matched by scanning.
 */
export function queryBigrams(q: string): string[] | undefined {
  const text = q.trim().toLowerCase();
  if ([...text].length < 2) return undefined;
  const chars = [...text];
  const grams = new Set<string>();
  for (let i = 0; i < chars.length - 1; i++) {
    const g = chars[i] + chars[i + 1];
    if (!/\s/.test(g)) grams.add(g);
  }
  return grams.size ? [...grams] : undefined;
}

export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}
