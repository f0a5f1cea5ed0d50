// Multi-page build: each platform is its own HTML entry, served by the gateway under /app/.
import { cpSync, mkdirSync } from 'node:fs'
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'
import Components from 'unplugin-vue-components/vite'
import { ElementPlusResolver } from 'unplugin-vue-components/resolvers'

const root = fileURLToPath(new URL('.', import.meta.url))
const gateway = process.env.SAFETY_GATEWAY_URL ?? 'http://127.0.0.1:8000'

/** HTML entry points, relative to web/; dist keeps the same layout. */
const pages = {
  launcher: 'index.html',
  datacenter: 'datacenter/index.html',
  supervision: 'supervision/index.html',
  emergency: 'emergency/index.html',
  govaffairs: 'govaffairs/index.html',
  enterprise: 'enterprise/index.html',
  apply: 'apply/index.html',
}

/** Swagger UI for the gateway's /docs, served from /app/assets/swagger-ui/ (no CDN on an offline network). */
const swaggerUi = {
  name: 'copy-swagger-ui',
  closeBundle() {
    const from = resolve(root, 'node_modules/swagger-ui-dist')
    const to = resolve(root, 'dist/assets/swagger-ui')
    mkdirSync(to, { recursive: true })
    for (const file of ['swagger-ui-bundle.js', 'swagger-ui.css', 'favicon-32x32.png', 'oauth2-redirect.html'])
      cpSync(resolve(from, file), resolve(to, file))
  },
}

export default defineConfig({
  base: '/app/',
  plugins: [
    vue(),
    swaggerUi,
    // Element Plus components used in templates are imported on demand (with their CSS).
    // ElMessage / ElMessageBox are imported explicitly where they are used.
    Components({
      dts: 'src/components.d.ts',
      resolvers: [ElementPlusResolver({ importStyle: 'css' })],
    }),
  ],
  resolve: {
    alias: { '@': resolve(root, 'src') },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsDir: 'assets',
    // The gateway serves only the pages and /app/assets/: emit the icon there instead of inlining it.
    assetsInlineLimit: (file) => (file.endsWith('.svg') ? false : undefined),
    // ECharts (about 620 kB, loaded only by the data centre's 统计分析 view) is the largest chunk.
    chunkSizeWarningLimit: 700,
    rolldownOptions: {
      input: Object.fromEntries(Object.entries(pages).map(([name, file]) => [name, resolve(root, file)])),
      output: {
        // Entries keep the page's name; code shared between pages (Vue, the Element Plus parts in
        // use, the shell) is split automatically into chunk-<hash> files.
        entryFileNames: 'assets/[name]-[hash].js',
        chunkFileNames: 'assets/chunk-[hash].js',
        assetFileNames: (asset) => {
          const name = asset.names[0] ?? ''
          const entry = Object.keys(pages).some((page) => name === `${page}.css`)
          return name.endsWith('.css') && !entry ? 'assets/chunk-[hash][extname]' : 'assets/[name]-[hash][extname]'
        },
      },
    },
  },
  server: {
    host: '127.0.0.1',
    port: 5173,
    proxy: {
      '/api': { target: gateway, changeOrigin: false },
      '/auth': { target: gateway, changeOrigin: false },
    },
  },
})
