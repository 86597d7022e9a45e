/**
 * Every two-character piece of a text (lower-cased, none containing white space), distinct:
 * what a ticket's `search_grams` holds, and what the database's text_bigrams() makes for rows
 * written without them. Computed here so that a 20,000-row import does not spend seconds in a
 * per-row SQL function.
 */
export function textBigrams(text: string): string[] {
  const chars = [...text.toLowerCase()];
  const grams = new Set<string>();
  for (let i = 0; i < chars.length - 1; i++) {
    const g = chars[i] + chars[i + 1];
    if (!/\s/.test(g)) grams.add(g);
  }
  return [...grams];
}

/** The text a ticket is searched by, as the database's fallback puts it together. */
export function searchText(title: string, description: string | null | undefined): string {
  return `${title} ${description ?? ''}`;
}

/**
 * The two-character pieces of a search text, so that a query for "危房改造" uses the GIN index
 * on every ticket's pieces. Undefined for a one-character query, which is matched by scanning.
 */
export function queryBigrams(q: string): string[] | undefined {
  const text = q.trim();
  if ([...text].length < 2) return undefined;
  const grams = textBigrams(text);
  return grams.length ? grams : undefined;
}

export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}
