/** How far back a tick looks for runs that were missed (a worker down over a month end). */
export const CATCH_UP_MONTHS = 2;
