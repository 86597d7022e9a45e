import exifr from 'exifr';
import sharp from 'sharp';
import { dHash, deviceName, EvidenceExif, exifInstant } from './evidence-checks';

/** What the uploading phone said of a photo beside it, read from the original before compressing. */
export interface ReportedFacts {
  takenAt?: string;
  lat?: number;
  lon?: number;
}

/** A photo's facts: its own EXIF and, where it has none, what the phone reported; `fromClient` names those. */
export type PhotoFacts = EvidenceExif & { fromClient?: Array<'takenAt' | 'location'> };

/**
 * The file's EXIF with the phone's report filling in what the file lacks: the capture time
 * when it has none, the place when it has no GPS. The file's own facts always win.
 */
export function withReported(exif: EvidenceExif, reported?: ReportedFacts | null): PhotoFacts {
  if (!reported) return exif;
  const out: PhotoFacts = { ...exif };
  const fromClient: NonNullable<PhotoFacts['fromClient']> = [];
  if (!exif.takenAt && reported.takenAt) {
    out.takenAt = reported.takenAt;
    fromClient.push('takenAt');
  }
  if ((exif.lat === undefined || exif.lon === undefined) && reported.lat !== undefined && reported.lon !== undefined) {
    out.lat = reported.lat;
    out.lon = reported.lon;
    fromClient.push('location');
  }
  if (fromClient.length) out.fromClient = fromClient;
  return out;
}

/** Pictures whose content is hashed and whose EXIF is read. */
export const PHOTO_TYPES = new Set(['image/jpeg', 'image/png', 'image/webp', 'image/heic', 'image/heif']);

/** The dHash of a picture, or undefined when sharp cannot decode it (e.g. HEIC without libheif). */
export async function photoHash(data: Buffer): Promise<bigint | undefined> {
  try {
    const pixels = await sharp(data).rotate().greyscale().resize(9, 8, { fit: 'fill' }).raw().toBuffer();
    return dHash(new Uint8Array(pixels.buffer, pixels.byteOffset, pixels.length));
  } catch {
    return undefined;
  }
}

/** Capture time, GPS and device from a picture's EXIF; an unreadable block reads as none. */
export async function photoExif(data: Buffer, zone: string): Promise<EvidenceExif> {
  let raw: Record<string, unknown> | undefined;
  try {
    raw = (await exifr.parse(data, { tiff: true, exif: true, gps: true, reviveValues: false })) as Record<string, unknown> | undefined;
  } catch {
    raw = undefined;
  }
  if (!raw) return {};
  const out: EvidenceExif = {};
  const taken =
    exifInstant(raw.DateTimeOriginal, raw.OffsetTimeOriginal, zone) ?? exifInstant(raw.CreateDate, raw.OffsetTimeDigitized, zone);
  if (taken) out.takenAt = taken.toISOString();
  const lat = gpsDegrees(raw.GPSLatitude, raw.GPSLatitudeRef);
  const lon = gpsDegrees(raw.GPSLongitude, raw.GPSLongitudeRef);
  if (lat !== undefined && lon !== undefined && Math.abs(lat) <= 90 && Math.abs(lon) <= 180) {
    out.lat = lat;
    out.lon = lon;
  }
  const device = deviceName(raw.Make, raw.Model);
  if (device) out.device = device.slice(0, 200);
  return out;
}

function gpsDegrees(value: unknown, ref: unknown): number | undefined {
  let deg: number | undefined;
  if (typeof value === 'number') deg = value;
  else if (Array.isArray(value) && value.length === 3 && value.every((v) => typeof v === 'number')) {
    const [d, m, s] = value;
    deg = d + m / 60 + s / 3600;
  }
  if (deg === undefined || !Number.isFinite(deg)) return undefined;
  return ref === 'S' || ref === 'W' ? -deg : deg;
}
