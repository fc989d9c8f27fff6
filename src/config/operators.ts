import { z } from "zod";

/** A bcrypt hash as bcryptjs (`npx bcrypt`), htpasswd or Ergo's `genpasswd` write it: $2a$, $2b$ or $2y$, cost 4 to 31. */
const BCRYPT_HASH = /^\$2[aby]\$(0[4-9]|[12][0-9]|3[01])\$[./A-Za-z0-9]{53}$/;

/**
 * `irc.operators` (docs/irc.md, "Operators"): the blocks `OPER <name>
 * <password>` matches, each giving the connection that role for its lifetime.
 * Only the password's bcrypt hash is in the file, as for accounts.
 */
const operator = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9._-]{1,32}$/, "1 to 32 letters, digits, '.', '_' or '-'"),
  passwordHash: z.string().regex(BCRYPT_HASH, "expected a bcrypt hash ($2a$, $2b$ or $2y$; make one with `npx bcrypt '<password>' 10`)"),
  role: z.enum(["moderator", "admin"]),
});

export type OperatorBlock = z.infer<typeof operator>;

export const operators = z
  .array(operator)
  .default([])
  // OPER matches a name without regard to case: two blocks must not be one name.
  .refine((list) => new Set(list.map((o) => o.name.toLowerCase())).size === list.length, { message: "two operators have the same name (names are compared without regard to case)" });
