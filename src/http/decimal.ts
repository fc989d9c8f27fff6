import { z } from "zod";

/**
 * A whole number written in decimal digits only. `Number()` (and
 * `z.coerce.number()`) also read "0x10", "1e1", " 7" and "0b11": a query that
 * says `limit=0x10` is invalid (400), not 16.
 */
export const DECIMAL_DIGITS = /^[0-9]{1,15}$/;

/** The value of a decimal-digits string, or undefined if it is anything else. */
export function parseDecimal(text: string): number | undefined {
  return DECIMAL_DIGITS.test(text) ? Number(text) : undefined;
}

/** A query parameter holding a whole number in decimal digits, as a number. */
export const decimalQuery = z
  .string()
  .regex(DECIMAL_DIGITS, "expected a whole number in decimal digits")
  .transform(Number);
