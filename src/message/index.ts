export * from "./inbound.ts";
export * from "./outbound.ts";
export * from "./errors.ts";
export * from "./codec.ts";
export * from "./names.ts";
export * from "./text.ts";
export * from "./new-names.ts";
export * from "./emoji.ts";
