/** Every layering problem found under `srcDir` (a folder laid out like src/), as `path: message` lines. */
export function checkLayers(srcDir: string): string[];
