export * from './assessment.module';
export * from './scoring';
export * from './team-light';
export * from './ranking.service';
