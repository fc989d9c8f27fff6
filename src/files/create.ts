import { join } from "node:path";
import type { Config } from "../config/schema.ts";
import type { Logger } from "../log.ts";
import { createFsFileStore } from "../../storage/files/fs-store.ts";
import { FileService } from "./service.ts";
import { startSweeper } from "./sweeper.ts";

/** `files.dir`, or `<dataDir>/files` when it is not set. */
export function filesDir(config: Config): string {
  return config.files.dir || join(config.dataDir, "files");
}

/** The running file service and how to stop it (the sweeper with it). */
export type OpenFiles = { service: FileService; close(): Promise<void> };

/**
 * Opens the file store (creating its folders) and starts the sweeper. The
 * limits are the live config object, so a reload applies to the next upload.
 */
export async function openFiles(config: Config, logger: Logger): Promise<OpenFiles> {
  const store = createFsFileStore(filesDir(config));
  await store.open();
  const service = new FileService({ store, limits: config.limits, logger });
  const stop = startSweeper(service, config.files.unsharedTtlMs, logger);
  return {
    service,
    async close() {
      stop();
      await store.close();
    },
  };
}
