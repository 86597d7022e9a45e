import { ValidationFailed } from '@app/platform';
import type { OrgUnit } from './org-unit.entity';
import { UNIT_KIND_LABELS, UnitKind } from './unit-kind';

export interface CreateUnitInput {
  name: string;
  kind: UnitKind;
  parentId?: string | null;
  code?: string | null;
  timezone?: string | null;
  lat?: number | null;
  lon?: number | null;
}

export interface UpdateUnitInput {
  name?: string;
  code?: string | null;
  timezone?: string;
  parentId?: string | null;
  lat?: number | null;
  lon?: number | null;
}

export interface UnitView {
  id: string;
  name: string;
  kind: UnitKind;
  kindLabel: string;
  parentId: string | null;
  code: string | null;
  timezone: string;
  /** The unit's location in WGS-84 degrees, or null when none is set. */
  location: { lat: number; lon: number } | null;
  depth: number;
  createdAt: string;
}

export interface UnitDetailView extends UnitView {
  ancestors: Array<{ id: string; name: string; kind: UnitKind }>;
  childCount: number;
}

export interface UnitListQuery {
  parentId?: string;
  kind?: UnitKind;
  q?: string;
  page: number;
  pageSize: number;
}

export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  pageSize: number;
}

export function toUnitView(u: OrgUnit): UnitView {
  return {
    id: u.id,
    name: u.name,
    kind: u.kind,
    kindLabel: UNIT_KIND_LABELS[u.kind].zh,
    parentId: u.parentId,
    code: u.code,
    timezone: u.timezone,
    location: u.lat === null || u.lat === undefined || u.lon === null ? null : { lat: Number(u.lat), lon: Number(u.lon) },
    depth: u.depth,
    createdAt: u.createdAt.toISOString(),
  };
}

/** Both coordinates or neither: one without the other is refused on the field that is missing. */
export function locationOf(input: { lat?: number | null; lon?: number | null }): { lat: number | null; lon: number | null } {
  const lat = input.lat ?? null;
  const lon = input.lon ?? null;
  if ((lat === null) !== (lon === null)) {
    throw ValidationFailed.field(lat === null ? 'lat' : 'lon', 'give both lat and lon, or neither (null clears the location)');
  }
  return { lat, lon };
}
