import { defineConfig } from "vite";

// Relative asset URLs: console_http serves the page under its function URL and adds a
// <base> tag at that URL (functions/webconsole/http.py), whatever the path prefix is.
export default defineConfig({
  base: "./",
  esbuild: { jsx: "automatic", jsxImportSource: "preact" },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    assetsDir: "assets",
    sourcemap: false,
    // Everything is bundled: no CDN, no network at run time.
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 1024,
  },
});
