/** Kafka's topic name rules (Topic.validate) and the '.'/'_' collision check. */

/** Longest legal topic name (file-system friendly partition dir names). */
export const MAX_TOPIC_NAME_LENGTH = 249
const LEGAL = /^[a-zA-Z0-9._-]+$/

/** Returns why a topic name is illegal, or undefined when it is fine. */
export function topicNameError(name: string): string | undefined {
  if (name.length === 0) return 'Topic name is illegal, it can\'t be empty'
  if (name === '.' || name === '..') return 'Topic name cannot be "." or ".."'
  if (name.length > MAX_TOPIC_NAME_LENGTH) {
    return `Topic name is illegal, it can't be longer than ${MAX_TOPIC_NAME_LENGTH} characters, topic name: ${name}`
  }
  if (!LEGAL.test(name)) {
    return `Topic name "${name}" is illegal, it contains a character other than ASCII alphanumerics, '.', '_' and '-'`
  }
  return undefined
}

/** Metric names replace '.' with '_', so two topics differing only there would collide. */
export function collisionKey(name: string): string {
  return name.replace(/\./g, '_')
}
