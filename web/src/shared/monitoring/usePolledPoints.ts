// Live values of an enterprise's points: GET /api/v1/monitoring/points?uscc=… every 5 s (the
// contract has no point stream). A poll is skipped while the tab is hidden; a failure keeps the
// last values and says so.
import { onBeforeUnmount, ref, watch } from 'vue'
import { allPoints, failure, type Point, type PointQuery } from './api'

export function usePolledPoints(query: () => PointQuery | null, intervalMs = 5000) {
  const points = ref<Point[]>([])
  const loading = ref(false)
  const loaded = ref(false)
  const error = ref('')
  const truncated = ref(false)
  const updatedAt = ref<number | null>(null)
  let timer: ReturnType<typeof setTimeout> | undefined
  let generation = 0

  async function poll() {
    const q = query()
    const mine = ++generation
    clearTimeout(timer)
    if (!q) return
    if (document.hidden && loaded.value) {
      timer = setTimeout(poll, intervalMs)
      return
    }
    loading.value = true
    try {
      const r = await allPoints(q)
      if (mine !== generation) return
      points.value = r.items
      truncated.value = r.truncated
      updatedAt.value = Date.now()
      error.value = ''
    } catch (err) {
      if (mine !== generation) return
      error.value = failure(err, '实时数据暂时无法加载')
    } finally {
      if (mine === generation) {
        loading.value = false
        loaded.value = true
        timer = setTimeout(poll, intervalMs)
      }
    }
  }

  watch(
    () => JSON.stringify(query()),
    () => {
      points.value = []
      loaded.value = false
      poll()
    },
    { immediate: true },
  )
  onBeforeUnmount(() => {
    generation++
    clearTimeout(timer)
  })

  return { points, loading, loaded, error, truncated, updatedAt, reload: poll }
}
