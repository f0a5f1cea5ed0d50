// The ECharts parts the monitoring views use, registered once when this module is first imported
// (before any chart is made or map registered: `registerMap` only works after GeoComponent is in).
// Imported by lazily loaded views only, so ECharts stays out of the pages' first chunk.
import { init, registerMap, use, type ComposeOption } from 'echarts/core'
import {
  BarChart,
  EffectScatterChart,
  LineChart,
  ScatterChart,
  type BarSeriesOption,
  type EffectScatterSeriesOption,
  type LineSeriesOption,
  type ScatterSeriesOption,
} from 'echarts/charts'
import {
  AriaComponent,
  DataZoomComponent,
  GeoComponent,
  GridComponent,
  LegendComponent,
  MarkLineComponent,
  TooltipComponent,
  type DataZoomComponentOption,
  type GeoComponentOption,
  type GridComponentOption,
  type LegendComponentOption,
  type MarkLineComponentOption,
  type TooltipComponentOption,
} from 'echarts/components'
import { LabelLayout } from 'echarts/features'
import { CanvasRenderer, SVGRenderer } from 'echarts/renderers'

use([
  BarChart,
  EffectScatterChart,
  LineChart,
  ScatterChart,
  AriaComponent,
  DataZoomComponent,
  GeoComponent,
  GridComponent,
  LegendComponent,
  MarkLineComponent,
  TooltipComponent,
  LabelLayout,
  CanvasRenderer,
  SVGRenderer,
])

export type MonitorChartOption = ComposeOption<
  | BarSeriesOption
  | EffectScatterSeriesOption
  | LineSeriesOption
  | ScatterSeriesOption
  | DataZoomComponentOption
  | GeoComponentOption
  | GridComponentOption
  | LegendComponentOption
  | MarkLineComponentOption
  | TooltipComponentOption
>

export type GeoJsonSource = Parameters<typeof registerMap>[1]

export { init, registerMap }
