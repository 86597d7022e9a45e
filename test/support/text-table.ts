/**
 * Markdown-style tables on a terminal, for the benchmarks and the simulation: columns line up
 * with Chinese text in them (a CJK character takes two columns).
 */

/** How many terminal columns a text takes. */
export function displayWidth(s: string): number {
  return [...s].reduce(
    (n, ch) => n + (/[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/.test(ch) ? 2 : 1),
    0,
  );
}

/** `| a | b |`, each cell padded to its column's width, left-aligned where `left(i)`. */
export function tableLine(cells: string[], widths: number[], left: (column: number) => boolean): string {
  const pad = (s: string, i: number) => {
    const fill = ' '.repeat(Math.max(0, widths[i] - displayWidth(s)));
    return left(i) ? s + fill : fill + s;
  };
  return `| ${cells.map(pad).join(' | ')} |`;
}

/** The `|---|---|` line under a header. */
export function tableRule(widths: number[]): string {
  return `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`;
}
