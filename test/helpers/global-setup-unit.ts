import { provideRedis } from "./provision.ts";

/** `npm run test:unit`: unit tests need no build, browser or Deno; the Redis-backed storage tests need a Redis. */
export default function setup(): Promise<() => void> {
  return provideRedis();
}
