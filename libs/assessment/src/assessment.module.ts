import { Module } from '@nestjs/common';
import { RankingService } from './ranking.service';

/** Scoring rules, monthly rankings and the year-end roll-up. */
@Module({
  providers: [RankingService],
  exports: [RankingService],
})
export class AssessmentModule {}
