/** A month `YYYY-MM` from 2000-01 to 2100-12: the range any cycle, document or ledger can be about. */
export const MONTH_PERIOD = /^(20\d\d-(0[1-9]|1[0-2])|2100-(0[1-9]|1[0-2]))$/;

/** A month as above, or a whole year from 2000 to 2100. */
export const MONTH_OR_YEAR_PERIOD = /^(20\d\d|2100)(-(0[1-9]|1[0-2]))?$/;

export const MONTH_PERIOD_MESSAGE = 'period must be a month YYYY-MM from 2000-01 to 2100-12';
export const MONTH_OR_YEAR_PERIOD_MESSAGE = 'period must be YYYY-MM or YYYY, from 2000 to 2100';
