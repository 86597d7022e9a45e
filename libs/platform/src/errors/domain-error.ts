/**
 * Every error a lib can raise, by code. The HTTP filter maps each code to a status with an
 * exhaustive switch, so a new code does not compile until it has a status.
 */
export enum ErrorCode {
  Validation = 'VALIDATION',
  Unauthenticated = 'UNAUTHENTICATED',
  Forbidden = 'FORBIDDEN',
  NotFound = 'NOT_FOUND',
  Conflict = 'CONFLICT',
  IllegalTransition = 'ILLEGAL_TRANSITION',
  PayloadTooLarge = 'PAYLOAD_TOO_LARGE',
  UnsupportedMediaType = 'UNSUPPORTED_MEDIA_TYPE',
  ImportRejected = 'IMPORT_REJECTED',
  RateLimited = 'RATE_LIMITED',
  Unavailable = 'UNAVAILABLE',
}

export type ErrorDetails = Record<string, unknown>;

export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: ErrorDetails,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** A field that failed validation, as API.md's 400 lists them. */
export interface FieldProblem {
  field: string;
  messages: string[];
}

export class ValidationFailed extends DomainError {
  constructor(message: string, fields: FieldProblem[] = []) {
    super(ErrorCode.Validation, message, fields.length ? { fields } : undefined);
  }

  static field(field: string, message: string): ValidationFailed {
    return new ValidationFailed(`${field}: ${message}`, [{ field, messages: [message] }]);
  }
}

export class NotFound extends DomainError {
  constructor(what: string, id?: string) {
    super(ErrorCode.NotFound, id ? `${what} ${id} was not found` : `${what} was not found`);
  }
}

export class Forbidden extends DomainError {
  constructor(message = 'You are not allowed to do this', details?: ErrorDetails) {
    super(ErrorCode.Forbidden, message, details);
  }
}

export class Unauthenticated extends DomainError {
  constructor(message = 'Sign in first: a valid bearer token is required') {
    super(ErrorCode.Unauthenticated, message);
  }
}

export class Conflict extends DomainError {
  constructor(message: string, details?: ErrorDetails) {
    super(ErrorCode.Conflict, message, details);
  }
}

/** An action that the current state does not allow; `allowed` lists what is allowed now. */
export class IllegalTransition extends DomainError {
  constructor(message: string, allowed: readonly string[], details?: ErrorDetails) {
    super(ErrorCode.IllegalTransition, message, { ...details, allowed: [...allowed] });
  }
}

/** One bad cell or row of an uploaded sheet, numbered as the user sees it. */
export interface RowProblem {
  /** The row as the sheet numbers it. */
  row: number;
  /** The row's own number (序号), when the sheet has that column and the row fills it. */
  no?: string;
  column: string;
  message: string;
}

/** An import with bad rows: nothing was written. */
/** A header row the import could not use: the columns it found, and the fields none of them names. */
export interface HeaderProblem {
  row: number;
  columns: string[];
  unplaced: Array<{ field: string; header: string }>;
  /** The header row and the first rows under it, cell by cell. */
  cells: string[][];
}

export class ImportRejected extends DomainError {
  constructor(
    readonly rows: RowProblem[],
    message = `The file has ${rows.length} problem(s); nothing was imported`,
    readonly header?: HeaderProblem,
  ) {
    super(ErrorCode.ImportRejected, message, header ? { rows, header } : { rows });
  }
}

export class PayloadTooLarge extends DomainError {
  constructor(message: string, limitBytes: number) {
    super(ErrorCode.PayloadTooLarge, message, { limitBytes });
  }
}

export class UnsupportedMediaType extends DomainError {
  constructor(message: string, accepted: readonly string[]) {
    super(ErrorCode.UnsupportedMediaType, message, { accepted: [...accepted] });
  }
}

export class RateLimited extends DomainError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(ErrorCode.RateLimited, message, { retryAfterSeconds });
  }
}

export class Unavailable extends DomainError {
  constructor(message: string) {
    super(ErrorCode.Unavailable, message);
  }
}
