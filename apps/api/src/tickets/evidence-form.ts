import { FieldProblem, ValidationFailed } from '@app/platform';
import type { ReportedFacts } from '@app/tickets';
import { DateTime } from 'luxon';

/** The text fields an evidence upload may carry beside its file. */
export const EVIDENCE_FORM_FIELDS = ['role', 'takenAt', 'lat', 'lon'] as const;

/** A phone's clock may run a little ahead of the service's: this much of the future is allowed. */
const CLOCK_SKEW_MS = 5 * 60 * 1000;

const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;
const DECIMAL = /^[+-]?\d{1,3}(\.\d{1,12})?$/;

export const EVIDENCE_UPLOAD_BODY = {
  schema: {
    type: 'object',
    required: ['file'],
    properties: {
      file: { type: 'string', format: 'binary' },
      role: { type: 'string', enum: ['before', 'after'], description: 'the photo before (整改前) or after (整改后) the work' },
      takenAt: {
        type: 'string',
        format: 'date-time',
        description: 'when the photo was taken, with its offset (not in the future), as the phone read it before compressing',
      },
      lat: { type: 'number', minimum: -90, maximum: 90, description: 'where it was taken (WGS 84), with lon' },
      lon: { type: 'number', minimum: -180, maximum: 180, description: 'where it was taken (WGS 84), with lat' },
    },
  },
};

/**
 * The capture time and place a phone sent beside a photo, checked: an ISO 8601 time with its
 * offset and not in the future, latitude −90…90 and longitude −180…180, the two together. Empty
 * fields count as absent; undefined when none is given.
 */
export function reportedFacts(fields: Record<string, string>, now: Date): ReportedFacts | undefined {
  const problems: FieldProblem[] = [];
  const text = (name: string) => fields[name]?.trim() || undefined;
  const out: ReportedFacts = {};
  const takenAt = text('takenAt');
  if (takenAt !== undefined) {
    const t = INSTANT.test(takenAt) ? DateTime.fromISO(takenAt, { setZone: true }) : undefined;
    if (!t?.isValid)
      problems.push({ field: 'takenAt', messages: ['must be an ISO 8601 time with its offset, e.g. 2026-08-19T15:30:00+08:00'] });
    else if (t.toMillis() > now.getTime() + CLOCK_SKEW_MS) problems.push({ field: 'takenAt', messages: ['must not be in the future'] });
    else out.takenAt = t.toUTC().toISO()!;
  }
  const degrees = (name: 'lat' | 'lon', limit: number) => {
    const raw = text(name);
    if (raw === undefined) return undefined;
    const value = DECIMAL.test(raw) ? Number(raw) : NaN;
    if (!Number.isFinite(value) || Math.abs(value) > limit) {
      problems.push({ field: name, messages: [`must be a number from -${limit} to ${limit}`] });
      return undefined;
    }
    return value;
  };
  const lat = degrees('lat', 90);
  const lon = degrees('lon', 180);
  if ((text('lat') === undefined) !== (text('lon') === undefined)) {
    problems.push({ field: text('lat') === undefined ? 'lat' : 'lon', messages: ['lat and lon go together'] });
  }
  if (problems.length) throw new ValidationFailed(problems.map((p) => `${p.field}: ${p.messages.join(', ')}`).join('; '), problems);
  if (lat !== undefined && lon !== undefined) Object.assign(out, { lat, lon });
  return Object.keys(out).length ? out : undefined;
}
