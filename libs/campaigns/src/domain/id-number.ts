import { createHmac } from 'node:crypto';

/** 18 digits (the last may be X) or the old 15-digit form. */
const ID_NUMBER = /^(\d{17}[\dX]|\d{15})$/;

export function normaliseIdNumber(text: string): string {
  return text.replace(/[\s\u3000]/g, '').toUpperCase();
}

export function isIdNumber(text: string): boolean {
  return ID_NUMBER.test(text);
}

/** The number as it may be shown: the six-digit area code and the last four, 420921********1234. */
export function maskIdNumber(id: string): string {
  return `${id.slice(0, 6)}${'*'.repeat(id.length - 10)}${id.slice(-4)}`;
}

/** A keyed hash, to match a household across rosters without keeping its number. */
export function hashIdNumber(id: string, salt: string): string {
  return createHmac('sha256', salt).update(id).digest('base64url');
}
