import { textBigrams } from '../domain/search';

/**
 * How alike two problem texts are: the Dice coefficient of their character bigrams (the pieces
 * the search index is built of), over the text with punctuation, digits, Latin letters and white
 * space taken out, so that "3户" and "三户" or a reworded sentence still share their Chinese
 * pieces. 1 is the same text, 0 nothing in common.
 */
export function problemSimilarity(a: string, b: string): number {
  return gramSimilarity(problemGrams(a), problemGrams(b));
}

/** The pieces `problemSimilarity` compares, to compute once for a text compared with many. */
export function problemGrams(text: string): ReadonlySet<string> {
  return new Set(textBigrams(normalise(text)));
}

/** `problemSimilarity` over pieces already made by `problemGrams`. */
export function gramSimilarity(x: ReadonlySet<string>, y: ReadonlySet<string>): number {
  if (!x.size || !y.size) return 0;
  let shared = 0;
  for (const g of x) if (y.has(g)) shared++;
  return (2 * shared) / (x.size + y.size);
}

/**
 * The similarity from which two problems of the same unit and category are taken for the same
 * problem found again, measured on `similarity.spec.ts`'s table of reworded and different titles.
 */
export const SAME_PROBLEM_SIMILARITY = 0.45;

export function sameProblem(a: string, b: string): boolean {
  return problemSimilarity(a, b) >= SAME_PROBLEM_SIMILARITY;
}

function normalise(text: string): string {
  return text.replace(/[^\p{Script=Han}]+/gu, '');
}
