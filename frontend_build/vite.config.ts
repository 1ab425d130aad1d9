/// <reference types="vitest/config" />
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// `npm run dev` proxies the backend so the studio keeps using its own origin.
const backend = process.env.POSE_STUDIO_BACKEND ?? "http://127.0.0.1:8000";

export default defineConfig({
  plugins: [react()],
  build: {
    outDir: "dist",
    // The lazily loaded 3D chunk is mostly three.js (~560 kB minified, ~140 kB gzip).
    chunkSizeWarningLimit: 600,
  },
  server: {
    proxy: {
      "/socket.io": { target: backend, ws: true },
      "/api": backend,
      "/agent": { target: backend, ws: true },
    },
  },
  test: {
    include: ["test/**/*.test.{ts,tsx}"],
    environment: "node",
  },
});
