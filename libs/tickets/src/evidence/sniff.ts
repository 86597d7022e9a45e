/** The kinds of evidence accepted: photos, PDF, Word and Excel. */
export const ACCEPTED_TYPES: Record<string, string> = {
  'image/jpeg': 'JPEG photo',
  'image/png': 'PNG image',
  'image/webp': 'WebP image',
  'image/heic': 'HEIC photo',
  'image/heif': 'HEIF photo',
  'application/pdf': 'PDF',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'Word (.docx)',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'Excel (.xlsx)',
  'application/msword': 'Word 97–2003 (.doc)',
  'application/vnd.ms-excel': 'Excel 97–2003 (.xls)',
};

/**
 * The media type of a file by its content (magic numbers, and for Office files their inner
 * structure), never by its name. Undefined when it is not one of the accepted kinds.
 */
export async function sniffEvidenceType(data: Buffer): Promise<string | undefined> {
  const { fileTypeFromBuffer } = await import('file-type');
  const found = await fileTypeFromBuffer(data);
  if (!found) return undefined;
  if (found.mime === 'image/heic' || found.mime === 'image/heif' || found.ext === 'heic') return 'image/heic';
  if (found.mime === 'application/x-cfb') return oleKind(data);
  return ACCEPTED_TYPES[found.mime] ? found.mime : undefined;
}

/** Office 97–2003 files share one container: the stream names tell Word from Excel. */
function oleKind(data: Buffer): string | undefined {
  const utf16 = (s: string) => Buffer.from(s, 'utf16le');
  if (data.includes(utf16('WordDocument'))) return 'application/msword';
  if (data.includes(utf16('Workbook')) || data.includes(utf16('Book'))) return 'application/vnd.ms-excel';
  return undefined;
}
