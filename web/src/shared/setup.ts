// Mounts one page: Vue + Element Plus with the zh-cn locale. `global = true` also makes zh-cn the
// locale of ElMessage / ElMessageBox, which are created outside the component tree.
import { createApp, type Component } from 'vue'
import { provideGlobalConfig } from 'element-plus'
import zhCn from 'element-plus/es/locale/lang/zh-cn'
import 'element-plus/theme-chalk/base.css'
import './styles.css'

export function mountPage(root: Component): void {
  const app = createApp(root)
  provideGlobalConfig({ locale: zhCn }, app, true)
  app.mount('#app')
}
