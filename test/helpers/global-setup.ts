import { execFileSync } from "node:child_process";

/** Process-level tests run the built daemon, as `npm start` does: build it once. */
export default function setup(): void {
  execFileSync("npm", ["run", "--silent", "build"], { stdio: "inherit" });
}
