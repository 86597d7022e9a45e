const pad = (n: number) => String(n).padStart(2, '0');

function valid(y: number, m: number, d: number): string | undefined {
  if (y < 1990 || y > 2100 || m < 1 || m > 12 || d < 1) return undefined;
  const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return d <= last ? `${y}-${pad(m)}-${pad(d)}` : undefined;
}

function lastDay(y: number, m: number): string | undefined {
  if (m < 1 || m > 12) return undefined;
  return valid(y, m, new Date(Date.UTC(y, m, 0)).getUTCDate());
}

/**
 * A date as people write it in a findings sheet: 2026-07-28, 2026/7/28, 2026.7.28,
 * 2026年7月28日 and the same with 前 (2026年9月30日前), 2026年9月底前, or an Excel serial number
 * (46231). With `year` (the inspection's year), also 9月30日前, 9月底前 and 年底前. Undefined
 * when it is not a real date.
 */
export function parseSheetDate(text: string, year?: number): string | undefined {
  const t = text
    .trim()
    .replace(/\s+/g, '')
    .replace(/(之前|以前|前|止)$/, '');
  let m = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})日?$/.exec(t) ?? /^(\d{4})年(\d{1,2})月(\d{1,2})[日号]?$/.exec(t);
  if (m) return valid(Number(m[1]), Number(m[2]), Number(m[3]));
  m = /^(\d{4})年(\d{1,2})月底?$/.exec(t);
  if (m) return lastDay(Number(m[1]), Number(m[2]));
  m = /^(\d{4})年(年底|底)$/.exec(t);
  if (m) return valid(Number(m[1]), 12, 31);
  if (year !== undefined) {
    m = /^(\d{1,2})月(\d{1,2})[日号]?$/.exec(t);
    if (m) return valid(year, Number(m[1]), Number(m[2]));
    m = /^(\d{1,2})月底$/.exec(t);
    if (m) return lastDay(year, Number(m[1]));
    if (/^(年底|年末|今年年底|本年底)$/.test(t)) return valid(year, 12, 31);
  }
  m = /^(\d{4})(\d{2})(\d{2})$/.exec(t);
  if (m) return valid(Number(m[1]), Number(m[2]), Number(m[3]));
  if (/^\d{5}(\.0+)?$/.test(t)) {
    // Excel's 1900 date system: serial 1 is 1900-01-01 and it counts a 29 February 1900 that
    // never was, so serials from 61 on are one day ahead of the calendar.
    const serial = Math.floor(Number(t));
    const date = new Date(Date.UTC(1899, 11, 30) + serial * 86_400_000);
    return valid(date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate());
  }
  return undefined;
}
