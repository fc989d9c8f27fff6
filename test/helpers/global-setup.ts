import { ROOT } from "./process.ts";
import { provideBuild, provideChromium, provideDeno, provideRedis, provideTerminalClients } from "./provision.ts";

/**
 * Brings what the whole suite needs (test/helpers/provision.ts): dist/ as
 * `npm start` runs it, Deno 2, Chromium, a Redis. The workers inherit the
 * environment set here (DENO_BIN, CHAT_TEST_REDIS_URL, CHAT_TEST_MISSING_*).
 */
export default async function setup(): Promise<() => void> {
  provideBuild(ROOT);
  provideDeno();
  provideChromium();
  provideTerminalClients();
  return provideRedis();
}
