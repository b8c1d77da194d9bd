import { embedBasic } from './embed.js'

console.log(`transferred, digest ${await embedBasic()}`)
