import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';

export const DOSSIER_FORMATS = ['pdf', 'zip', 'html'] as const;
export type DossierFormat = (typeof DOSSIER_FORMATS)[number];

export class DossierQuery {
  @ApiPropertyOptional({
    enum: DOSSIER_FORMATS,
    default: 'pdf',
    description: 'pdf (default), zip (the PDF and the original files) or html',
  })
  @IsOptional()
  @IsIn(DOSSIER_FORMATS)
  format?: DossierFormat;
}
