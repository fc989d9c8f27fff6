import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseConfig, type Config } from "../../src/config/index.ts";
import { Daemon } from "../../src/daemon.ts";
import { silentLogger, type Logger } from "../../src/log.ts";
import { nodeRuntime } from "../../src/runtime/node/serve.ts";

export const ADMIN_TOKEN = "test-admin-token";

export type TestDaemon = {
  daemon: Daemon;
  config: Config;
  dataDir: string;
  readonly port: number;
  readonly url: string;
  readonly wsUrl: string;
  /** fetch against the daemon; `admin: true` adds the bearer token. */
  http(path: string, init?: RequestInit & { admin?: boolean }): Promise<Response>;
  /** Stops the daemon (if running) and deletes its data unless `keepData`. */
  close(options?: { keepData?: boolean }): Promise<void>;
};

type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? (T[K] extends unknown[] ? T[K] : DeepPartial<T[K]>) : T[K] };

/**
 * Starts a real daemon in this process on an ephemeral port with a fresh data
 * directory (or `dataDir`, to restart over the same data). bcrypt runs at the
 * lowest cost so sign-ins are fast in tests.
 */
export async function startDaemon(
  overrides: DeepPartial<Config> = {},
  options: { dataDir?: string; logger?: Logger; amendmentsMemoryBytes?: number } = {},
): Promise<TestDaemon> {
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), "chatd-test-")));
  const config = parseConfig({
    host: "127.0.0.1",
    port: 0,
    bcryptCost: 4,
    adminToken: ADMIN_TOKEN,
    ...overrides,
    dataDir,
    chatLog: { fsync: true, ...overrides.chatLog },
    limits: { ...overrides.limits },
  });
  const daemon = new Daemon({ config, runtime: nodeRuntime, logger: options.logger ?? silentLogger, amendmentsMemoryBytes: options.amendmentsMemoryBytes });
  await daemon.start();
  return {
    daemon,
    config,
    dataDir,
    get port() {
      return daemon.port;
    },
    get url() {
      return `http://127.0.0.1:${daemon.port}`;
    },
    get wsUrl() {
      return `ws://127.0.0.1:${daemon.port}/ws`;
    },
    http(path, init = {}) {
      const headers = new Headers(init.headers);
      if (init.admin) headers.set("Authorization", `Bearer ${ADMIN_TOKEN}`);
      if (init.body !== undefined && !headers.has("content-type")) headers.set("content-type", "application/json");
      return fetch(`http://127.0.0.1:${daemon.port}${path}`, { ...init, headers });
    },
    async close({ keepData = false } = {}) {
      if (daemon.state !== "stopped") await daemon.stop();
      // Retried: a file written as the daemon stops can land in a folder rm is emptying (ENOTEMPTY, seen on a busy machine).
      if (!keepData) await rm(dataDir, { recursive: true, force: true, maxRetries: 5 });
    },
  };
}
