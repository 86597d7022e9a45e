import { DateTime } from 'luxon';

/** The checks on evidence against 纸面销号: pure decisions over facts read from the file and the database. */

export type EvidenceWarningCode = 'duplicate' | 'near_duplicate' | 'taken_before_ticket' | 'no_capture_time' | 'far_from_unit';

export interface EvidenceWarning {
  code: EvidenceWarningCode;
  message: string;
  ticketIds?: string[];
  /** For `far_from_unit`: how far the photo was taken from the unit, in kilometres. */
  distanceKm?: number;
}

export interface EvidenceExif {
  takenAt?: string;
  lat?: number;
  lon?: number;
  device?: string;
}

/** Another ticket that a file or a look-alike already backs. */
export interface OtherTicket {
  id: string;
  code: string;
  unitName: string;
}

const MASK64 = (1n << 64n) - 1n;

/**
 * The difference hash of a 9×8 greyscale picture (row by row, 72 bytes): bit i is set when a
 * pixel is brighter than its right neighbour, reading the 8 comparisons of each of the 8 rows.
 */
export function dHash(pixels: Uint8Array): bigint {
  if (pixels.length !== 72) throw new RangeError(`dHash takes 9×8 pixels, got ${pixels.length}`);
  let hash = 0n;
  for (let y = 0; y < 8; y++) {
    for (let x = 0; x < 8; x++) {
      hash = (hash << 1n) | (pixels[y * 9 + x] > pixels[y * 9 + x + 1] ? 1n : 0n);
    }
  }
  return hash;
}

/** The number of differing bits of two 64-bit hashes. */
export function hammingDistance(a: bigint, b: bigint): number {
  let x = (a ^ b) & MASK64;
  let n = 0;
  while (x) {
    x &= x - 1n;
    n++;
  }
  return n;
}

/** A hash as PostgreSQL's signed bigint, and back. */
export const toSigned64 = (hash: bigint): bigint => BigInt.asIntN(64, hash);
export const fromSigned64 = (value: bigint | string): bigint => BigInt.asUintN(64, BigInt(value));

/**
 * An EXIF time (`2026:11:03 09:30:00`) as an instant: with its recorded offset when the camera
 * wrote one, else in the time zone of the unit where it was taken.
 */
export function exifInstant(raw: unknown, offset: unknown, zone: string): Date | undefined {
  if (raw instanceof Date) return Number.isNaN(raw.getTime()) ? undefined : raw;
  if (typeof raw !== 'string') return undefined;
  const z = typeof offset === 'string' && /^[+-]\d{2}:\d{2}$/.test(offset.trim()) ? `UTC${offset.trim()}` : zone;
  const t = DateTime.fromFormat(raw.trim().slice(0, 19), 'yyyy:MM:dd HH:mm:ss', { zone: z });
  return t.isValid ? t.toJSDate() : undefined;
}

/** A device name from EXIF Make and Model, without the make written twice. */
export function deviceName(make: unknown, model: unknown): string | undefined {
  const mk = typeof make === 'string' ? make.trim() : '';
  const md = typeof model === 'string' ? model.trim() : '';
  if (!mk && !md) return undefined;
  if (mk && md.toLowerCase().startsWith(mk.toLowerCase())) return md;
  return [mk, md].filter(Boolean).join(' ');
}

const EARTH_RADIUS_KM = 6371.0088;
const rad = (deg: number) => (deg * Math.PI) / 180;

/** The great-circle distance in kilometres between two points in WGS-84 degrees (haversine, mean Earth radius). */
export function haversineKm(a: { lat: number; lon: number }, b: { lat: number; lon: number }): number {
  const dLat = rad(b.lat - a.lat);
  const dLon = rad(b.lon - a.lon);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(rad(a.lat)) * Math.cos(rad(b.lat)) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** Where the ticket's unit is: its own location or its nearest ancestor's that has one. */
export interface UnitPlace {
  unitName: string;
  lat: number;
  lon: number;
}

const named = (others: OtherTicket[]) => others.map((o) => `${o.code}（${o.unitName}）`).join('、');

export interface WarningFacts {
  isPhoto: boolean;
  exif?: EvidenceExif;
  /** Other tickets of the county backed by the same file. */
  sameFile: OtherTicket[];
  /** Other tickets of the county backed by a photo within the distance (the same file excluded). */
  lookAlike: OtherTicket[];
  /** The earliest of the ticket's creation and its inspection's date. */
  ticketSince: Date;
  /** The location that stands for the ticket's unit, when one is set; with the distance allowed. */
  place?: UnitPlace;
  farKm?: number;
}

/** The warnings of one upload, in a fixed order; none of them refuses the file. */
export function decideWarnings(f: WarningFacts): EvidenceWarning[] {
  const out: EvidenceWarning[] = [];
  if (f.sameFile.length) {
    out.push({
      code: 'duplicate',
      message: `同一文件已作为${named(f.sameFile)}的佐证材料`,
      ticketIds: f.sameFile.map((o) => o.id),
    });
  }
  const sameFileIds = new Set(f.sameFile.map((o) => o.id));
  const lookAlike = f.lookAlike.filter((o) => !sameFileIds.has(o.id));
  if (lookAlike.length) {
    out.push({
      code: 'near_duplicate',
      message: `照片与${named(lookAlike)}的佐证照片高度相似`,
      ticketIds: lookAlike.map((o) => o.id),
    });
  }
  if (f.isPhoto) {
    const takenAt = f.exif?.takenAt ? new Date(f.exif.takenAt) : undefined;
    if (!takenAt) {
      out.push({ code: 'no_capture_time', message: '照片没有拍摄时间（可能是截图或转发的图片）' });
    } else if (takenAt.getTime() < f.ticketSince.getTime()) {
      out.push({
        code: 'taken_before_ticket',
        message: `照片拍摄于 ${takenAt.toISOString()}，早于问题发现时间 ${f.ticketSince.toISOString()}`,
      });
    }
    const far = farFromUnit(f.exif, f.place, f.farKm);
    if (far) out.push(far);
  }
  return out;
}

/** `far_from_unit` when the photo's GPS lies farther than `limitKm` from the unit's place; nothing without either. */
export function farFromUnit(exif: EvidenceExif | undefined, place: UnitPlace | undefined, limitKm = 5): EvidenceWarning | undefined {
  if (!place || exif?.lat === undefined || exif.lon === undefined) return undefined;
  const km = haversineKm({ lat: exif.lat, lon: exif.lon }, place);
  if (km <= limitKm) return undefined;
  const shown = km < 10 ? km.toFixed(1) : Math.round(km).toString();
  return {
    code: 'far_from_unit',
    message: `照片拍摄地点距${place.unitName}约 ${shown} 公里，超过 ${limitKm} 公里`,
    distanceKm: Number(km.toFixed(1)),
  };
}
