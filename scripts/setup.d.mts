// Types for what TypeScript code (the benchmarks) imports from setup.mjs.
/** The V8 flags in scripts/node-flags, which ./k8ts gives every k8ts process. */
export declare function nodeFlags(): string[];
/** The repository's root directory. */
export declare const root: string;
