export * from "./service.ts";
export * from "./errors.ts";
export * from "./names.ts";
export * from "./sniff.ts";
export * from "./create.ts";
