import { Foundation1795300000000 } from './1795300000000-foundation';

/** Every migration, oldest first. The schema changes only through these. */
export const MIGRATIONS = [Foundation1795300000000];
