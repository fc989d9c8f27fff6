import type { Config } from "../config/schema.ts";
import type { Logger } from "../log.ts";

/** What a reload works on (the daemon is one): its live config, where it comes from, the chat and the certificates. */
export type ReloadHost = {
  readonly config: Config;
  readonly logger: Logger;
  /** Where the configuration comes from (file + environment), set by run(); undefined: nothing to reload from. */
  configSource: (() => Promise<Config>) | undefined;
  readonly chat: { setMotd(motd: string): Promise<void> } | undefined;
  reloadCertificates(): Promise<ReloadResult["tls"]>;
};

/**
 * Fields read only when the server starts (the listener, the storage, the
 * accounts, the socket layer): a reload reports a change to them in
 * `restartRequired` and leaves them as they are; restart the process to
 * apply them. Every other field applies at once.
 */
export const RESTART_FIELDS = [
  "host",
  "port",
  "dataDir",
  "chatLog",
  "registration",
  "bcryptCost",
  "bcryptThreads",
  "tls",
  // The file store's folder and its sweeper start with the server.
  "files",
  // Read once when the node starts: its Redis connections and node id.
  "cluster",
  // The IRC listeners and the server name IRC clients see are set when the gateway starts.
  "irc",
  "limits.maxFrameBytes",
  "limits.maxBufferedBytes",
  "limits.historyPerRoom",
  "limits.historyMemoryBytes",
  "limits.passwordMinLength",
  "limits.tokenTtlHours",
  // The heartbeat timer and the HTTP server's limits are set when it starts listening.
  "limits.heartbeatMs",
  "limits.headersTimeoutMs",
  "limits.requestTimeoutMs",
  "limits.maxHeaderBytes",
];

/** `tls`: whether the certificate files were read again (`restart_required` on Deno). */
export type ReloadResult = { reloaded: true; changed: string[]; restartRequired: string[]; tls: "off" | "reloaded" | "restart_required" };

/** Sets where the host's configuration is read from on a reload. */
export function setConfigSource(host: Pick<ReloadHost, "configSource">, load: () => Promise<Config>): void {
  host.configSource = load;
}

export class ReloadUnavailableError extends Error {
  override name = "ReloadUnavailableError";
}

/**
 * Reads the configuration again and applies what can change while running:
 * the same config object is updated in place, so the chat, the app and new
 * sessions see the new values. Existing sessions keep their rate buckets.
 * An invalid file throws (ConfigError) and changes nothing.
 */
export async function reloadConfig(daemon: ReloadHost): Promise<ReloadResult> {
  const load = daemon.configSource;
  if (!load) throw new ReloadUnavailableError("this daemon has no configuration source to reload from");
  const next = await load();
  const current = daemon.config;
  const changed: string[] = [];
  const restartRequired: string[] = [];
  const note = (field: string) => (RESTART_FIELDS.includes(field) ? restartRequired : changed).push(field);

  for (const key of Object.keys(next) as Array<keyof Config>) {
    if (key === "limits") continue;
    if (same(current[key], next[key])) continue;
    note(key);
    if (RESTART_FIELDS.includes(key)) continue;
    // The motd goes through the chat so online users get the notice, as with PUT /admin/motd.
    if (key === "motd" && daemon.chat) await daemon.chat.setMotd(next.motd);
    else (current as Record<string, unknown>)[key] = next[key];
  }
  const limits = current.limits as Record<string, unknown>;
  for (const [key, value] of Object.entries(next.limits)) {
    if (same(limits[key], value)) continue;
    note(`limits.${key}`);
    if (!RESTART_FIELDS.includes(`limits.${key}`)) limits[key] = value;
  }
  const tls = await daemon.reloadCertificates();
  daemon.logger.info("config reloaded", { changed, restartRequired, tls });
  if (restartRequired.length > 0) daemon.logger.warn("config changes need a restart of the process", { fields: restartRequired });
  return { reloaded: true, changed, restartRequired, tls };
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
