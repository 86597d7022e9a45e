import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { UnitKind } from './unit-kind';

/**
 * A node of the org tree: county, township (乡镇), village (村), office (站所办) or
 * inspection group (督查组). `path` is the materialised path of ids, `/root/…/self/`.
 */
@Entity('org_unit')
export class OrgUnit {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column('text')
  name!: string;

  @Column('text')
  kind!: UnitKind;

  @Column('uuid', { name: 'parent_id', nullable: true })
  parentId!: string | null;

  @Column('text')
  path!: string;

  @Column('int')
  depth!: number;

  @Column('text', { nullable: true })
  code!: string | null;

  @Column('text')
  timezone!: string;

  /** The unit's location (WGS-84 degrees), optional; both or neither. */
  @Column('double precision', { nullable: true })
  lat!: number | null;

  @Column('double precision', { nullable: true })
  lon!: number | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

export function childPath(parentPath: string | null, id: string): string {
  return `${parentPath ?? '/'}${id}/`;
}

/** The ids of a unit and its ancestors, root first. */
export function pathIds(path: string): string[] {
  return path.split('/').filter(Boolean);
}
