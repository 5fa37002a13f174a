/** German, loaded on demand (English is in the first bundle; other languages cost only who uses them). */
export { de as translation } from './de';
export { deMessages as messages } from './de-messages';
