/** The robot styles a unit's webhook can take. */
export type RobotStyle = 'wecom' | 'dingtalk';

/** WeCom (企业微信) refuses markdown content longer than 4096 bytes. */
const WECOM_MARKDOWN_MAX_BYTES = 4096;

/**
 * Characters WeCom's markdown would read as markup (bold, links, code, its <font> tags), given
 * as their full-width forms: WeCom documents no escape, and full-width signs read naturally in
 * Chinese text.
 */
const FULL_WIDTH: Record<string, string> = { '*': '＊', _: '＿', '`': '｀', '[': '［', ']': '］', '<': '＜', '>': '＞', '#': '＃' };

function escapeMarkdown(text: string): string {
  return text.replace(/[*_`[\]<>#]/g, (c) => FULL_WIDTH[c]);
}

function truncateUtf8(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text) <= maxBytes) return text;
  let out = '';
  let bytes = 0;
  for (const ch of text) {
    const size = Buffer.byteLength(ch);
    if (bytes + size > maxBytes - 3) break;
    out += ch;
    bytes += size;
  }
  return `${out}…`;
}

/**
 * A WeCom group robot's markdown message: the title in bold, the body quoted line by line (WeCom
 * shows quoted lines in grey), within WeCom's 4096-byte limit.
 */
export function wecomMarkdown(title: string, body: string): { msgtype: 'markdown'; markdown: { content: string } } {
  const lines = body
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => `> ${escapeMarkdown(l)}`);
  const content = [`**【${escapeMarkdown(title)}】**`, ...lines].join('\n');
  return { msgtype: 'markdown', markdown: { content: truncateUtf8(content, WECOM_MARKDOWN_MAX_BYTES) } };
}

/**
 * What a robot is sent for a notification: WeCom robots get markdown; DingTalk robots the text
 * message queued with the delivery (its keyword check reads the text). Without the notification
 * (or a style), the queued text message, which both robots accept.
 */
export function robotMessage(style: RobotStyle | null, queued: unknown, notification?: { title: string; body: string }): unknown {
  if (style === 'wecom' && notification) return wecomMarkdown(notification.title, notification.body);
  return queued;
}
