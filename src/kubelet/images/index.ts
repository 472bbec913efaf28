export { buildImages } from "./build.ts";
export { type ImportOptions, importImages } from "./import.ts";
export { IMAGES } from "./names.ts";
