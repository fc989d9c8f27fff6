import { readFile } from "node:fs/promises";
import type { Config } from "../config/schema.ts";
import type { TlsFiles } from "../runtime/types.ts";

/** The PEM files named by `tls.cert` / `tls.key`, or undefined when TLS is off. */
export async function readCertificates(config: Config): Promise<TlsFiles | undefined> {
  if (!config.tls.cert) return undefined;
  const [cert, key] = await Promise.all([readFile(config.tls.cert, "utf8"), readFile(config.tls.key, "utf8")]);
  return { cert, key };
}
