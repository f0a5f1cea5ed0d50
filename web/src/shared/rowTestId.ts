// ElTable renders its own <tr> elements and has no prop for row attributes, so
// `v-row-testid="'application-row'"` on an <el-table> (import `vRowTestid` in <script setup>) tags every body row
// (`tr.el-table__row`, not the expanded-detail rows) with that data-testid, and keeps doing so
// as the table re-renders.
import type { Directive } from 'vue'

const observers = new WeakMap<HTMLElement, MutationObserver>()

function tagRows(el: HTMLElement, testid: string): void {
  el.querySelectorAll<HTMLTableRowElement>('tbody > tr.el-table__row').forEach((tr) => {
    if (tr.getAttribute('data-testid') !== testid) tr.setAttribute('data-testid', testid)
  })
}

export const vRowTestid: Directive<HTMLElement, string> = {
  mounted(el, binding) {
    tagRows(el, binding.value)
    const observer = new MutationObserver(() => tagRows(el, binding.value))
    observer.observe(el, { childList: true, subtree: true })
    observers.set(el, observer)
  },
  updated(el, binding) {
    tagRows(el, binding.value)
  },
  unmounted(el) {
    observers.get(el)?.disconnect()
    observers.delete(el)
  },
}
