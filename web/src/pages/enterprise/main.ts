import { mountPage } from '@/shared/setup'
import App from './App.vue'

mountPage(App)
