export * from './assessment.module';
export * from './scoring';
export * from './ranking.service';
