import { expect } from "vitest";
import { ClientError } from "../../src/message/errors.ts";

/** The code of the ClientError a promise rejects with (failing the test if it resolves or rejects otherwise). */
export async function codeOf(p: Promise<unknown>): Promise<string> {
  const error = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ClientError);
  return (error as ClientError).code;
}
