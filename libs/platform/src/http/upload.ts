import { PayloadTooLarge, ValidationFailed } from '../errors/domain-error';

export interface UploadedFile {
  filename: string;
  mimetype: string;
  data: Buffer;
  /** The text fields sent before the file in the same form. */
  fields: Record<string, string>;
}

interface MultipartFile {
  filename: string;
  mimetype: string;
  fieldname: string;
  toBuffer(): Promise<Buffer>;
  file: { truncated?: boolean };
  fields?: Record<string, unknown>;
}

interface MultipartPart {
  type: 'file' | 'field';
  fieldname: string;
  filename?: string;
  mimetype?: string;
  value?: unknown;
  toBuffer?(): Promise<Buffer>;
  file?: { truncated?: boolean; resume(): void };
}

interface MultipartRequest {
  isMultipart?: () => boolean;
  parts?: (options?: { limits?: { fileSize?: number; files?: number } }) => AsyncIterable<MultipartPart>;
  file?: (options?: { limits?: { fileSize?: number; files?: number } }) => Promise<MultipartFile | undefined>;
}

/** Reads the multipart field `file` into memory, refusing anything larger than `maxBytes`. */
export async function readUploadedFile(request: unknown, maxBytes: number, field = 'file'): Promise<UploadedFile> {
  const req = request as MultipartRequest;
  if (!req.isMultipart?.() || !req.file) {
    throw ValidationFailed.field(field, 'send the file as multipart/form-data in a field named "file"');
  }
  let part: MultipartFile | undefined;
  try {
    part = await req.file({ limits: { fileSize: maxBytes, files: 1 } });
  } catch (e) {
    if ((e as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') throw tooLarge(maxBytes);
    throw e;
  }
  if (!part || part.fieldname !== field) throw ValidationFailed.field(field, 'a file is required in the multipart field "file"');
  let data: Buffer;
  try {
    data = await part.toBuffer();
  } catch (e) {
    if ((e as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') throw tooLarge(maxBytes);
    throw e;
  }
  if (part.file.truncated) throw tooLarge(maxBytes);
  if (data.length === 0) throw ValidationFailed.field(field, 'the file is empty');
  return { filename: part.filename ?? '', mimetype: part.mimetype ?? 'application/octet-stream', data, fields: textFields(part.fields) };
}

function textFields(fields: Record<string, unknown> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(fields ?? {})) {
    const first = (Array.isArray(value) ? value[0] : value) as { type?: string; value?: unknown } | undefined;
    if (first?.type === 'field' && typeof first.value === 'string') out[name] = first.value;
  }
  return out;
}

/**
 * Reads a multipart form of one file (the field `file`) and the text fields named in `names`, in
 * any order; other text fields are left out. The file is refused as `readUploadedFile` refuses it.
 */
export async function readUploadedForm(
  request: unknown,
  maxBytes: number,
  names: readonly string[] = [],
  field = 'file',
): Promise<{ file: UploadedFile; fields: Record<string, string> }> {
  const req = request as MultipartRequest;
  if (!req.isMultipart?.() || !req.parts) {
    throw ValidationFailed.field(field, 'send the file as multipart/form-data in a field named "file"');
  }
  const fields: Record<string, string> = {};
  let file: UploadedFile | undefined;
  try {
    for await (const part of req.parts({ limits: { fileSize: maxBytes, files: 1 } })) {
      if (part.type === 'field') {
        if (names.includes(part.fieldname) && typeof part.value === 'string') fields[part.fieldname] = part.value;
        continue;
      }
      if (part.fieldname !== field) {
        part.file?.resume();
        throw ValidationFailed.field(field, 'a file is required in the multipart field "file"');
      }
      const data = await part.toBuffer!();
      if (part.file?.truncated) throw tooLarge(maxBytes);
      file = { filename: part.filename ?? '', mimetype: part.mimetype ?? 'application/octet-stream', data, fields };
    }
  } catch (e) {
    if ((e as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') throw tooLarge(maxBytes);
    throw e;
  }
  if (!file) throw ValidationFailed.field(field, 'a file is required in the multipart field "file"');
  if (file.data.length === 0) throw ValidationFailed.field(field, 'the file is empty');
  return { file, fields };
}

function tooLarge(maxBytes: number): PayloadTooLarge {
  const mib = maxBytes / 1048576;
  return new PayloadTooLarge(`The file is larger than the limit of ${Number.isInteger(mib) ? mib : mib.toFixed(1)} MiB`, maxBytes);
}
