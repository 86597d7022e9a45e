import { ImportRejected } from '@app/platform';
import Negotiator from 'negotiator';

/** The languages an import's problems are told in. */
export type ReaderLang = 'zh' | 'en';

/** Chinese when the caller's Accept-Language prefers it to English, English otherwise. */
export function readerLang(acceptLanguage: string | undefined): ReaderLang {
  if (!acceptLanguage) return 'en';
  return new Negotiator({ headers: { 'accept-language': acceptLanguage } }).language(['en', 'zh']) === 'zh' ? 'zh' : 'en';
}

type Rule = [RegExp, (m: RegExpExecArray) => string];

const list = (text: string) => text.replace(/, | or /g, '、');

/** The Chinese of each problem the findings import reports, by the English it is written in. */
const ZH: Rule[] = [
  [/^the problem is empty$/, () => '问题描述为空'],
  [/^longer than ([\d,]+) characters$/, (m) => `超过 ${m[1].replace(/,/g, '')} 个字`],
  [/^a formula, not text: paste the values$/, () => '是公式而不是文字：请“粘贴为数值”后再导入'],
  [/^"(.*)" is not a category \((.*)\)$/s, (m) => `“${m[1]}”不是问题类别（可选：${m[2]}）`],
  [/^the owner unit is empty$/, () => '责任单位为空'],
  [
    /^no unit named "(.*)" in the inspected unit \(or you may not raise tickets there\)$/s,
    (m) => `被检查单位内没有名为“${m[1]}”的单位（或您无权在该单位立项）`,
  ],
  [
    /^"(.*)" matches (\d+) units; write it with its township, e.g. (.*)$/s,
    (m) => `“${m[1]}”对应 ${m[2]} 个单位，请写上所属乡镇，如 ${m[3]}`,
  ],
  [
    /^"(.*)" names every village of a township; this inspection is not of one township: list the units$/s,
    (m) => `“${m[1]}”指一个乡镇的所有村，但本次检查不是针对一个乡镇的：请逐一列出责任单位`,
  ],
  [/^"(.*)": the township has no village where you may raise tickets$/s, (m) => `“${m[1]}”：该乡镇没有您可以立项的村`],
  [
    /^"(.*)" lists the inspected unit with units under it: a common problem's units lie under it$/s,
    (m) => `“${m[1]}”把被检查单位和它下属的单位并列：共性问题的各责任单位须在被检查单位之下`,
  ],
  [/^"(.*)" is not 立行立改, 限期整改 or 长期坚持$/s, (m) => `“${m[1]}”不是立行立改、限期整改或长期坚持`],
  [/^the deadline is empty$/, () => '整改时限为空'],
  [/^"(.*)" is not a date \((.*)\)$/s, (m) => `“${m[1]}”不是日期（可写作 ${list(m[2])}）`],
  [/^the file has no header row$/, () => '文件没有表头行'],
  [/^the file has no findings$/, () => '文件中没有问题'],
  [/^no header row in the first (\d+) rows$/, (m) => `前 ${m[1]} 行中没有表头行`],
  [/^missing column (.*)$/, (m) => `缺少“${m[1].replace(/ \/ /g, '”或“')}”列`],
  [/^column "(.*)" appears twice$/s, (m) => `“${m[1]}”列出现了两次`],
  [
    /^the workbook has no sheet named "(.*)" \(it has (.*)\)$/s,
    (m) => `工作簿中没有名为“${m[1]}”的工作表（现有：${m[2].replace(/"/g, '')}）`,
  ],
];

/** The summary of a rejected import in Chinese, by its English. */
const ZH_SUMMARY: Rule[] = [
  [
    /^(At least )?(\d+) problem\(s\) in the file; nothing was imported$/,
    (m) => `文件中有${m[1] ? '至少 ' : ' '}${m[2]} 处问题，未导入任何内容`,
  ],
  [/^The header row \(row (\d+)\) is not usable; nothing was imported$/, (m) => `第 ${m[1]} 行的表头无法使用，未导入任何内容`],
  [/^No header row found in the first (\d+) rows; nothing was imported$/, (m) => `前 ${m[1]} 行中没有找到表头，未导入任何内容`],
  [/^No sheet named "(.*)"; nothing was imported$/s, (m) => `没有名为“${m[1]}”的工作表，未导入任何内容`],
  [/^The file has (\d+) problem\(s\); nothing was imported$/, (m) => `文件中有 ${m[1]} 处问题，未导入任何内容`],
];

function translate(text: string, rules: Rule[]): string {
  for (const [re, to] of rules) {
    const m = re.exec(text);
    if (m) return to(m);
  }
  return text;
}

/** A rejected import as the caller reads it: in Chinese when that is the caller's language. */
export function inReaderLang(e: ImportRejected, lang: ReaderLang): ImportRejected {
  if (lang === 'en') return e;
  const rows = e.rows.map((r) => ({ ...r, message: translate(r.message, ZH) }));
  return new ImportRejected(rows, translate(e.message, ZH_SUMMARY), e.header);
}
