import { Injectable, PipeTransform } from '@nestjs/common';
import { NotFound } from '@app/platform';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A path id that is not a UUID names nothing: 404, like any unknown id. */
@Injectable()
export class IdPipe implements PipeTransform<string, string> {
  constructor(private readonly what = 'Record') {}

  transform(value: string): string {
    if (!UUID.test(value)) throw new NotFound(this.what, value);
    return value.toLowerCase();
  }
}
