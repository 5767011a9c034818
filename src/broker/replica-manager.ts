/**
 * ReplicaManager: the partitions this node hosts. It keeps the partition logs (through the storage
 * LogManager) in step with the controller's image: creates logs for new partitions, deletes the logs
 * of deleted topics, and pushes config changes into open logs. Handlers read and append through
 * the Log objects it hands out; it also caches each topic's LogConfig for the produce path.
 */
import {logConfigFromProps, type Log, type LogConfig, type LogManager} from '../storage/index.js'
import {effectiveTopicConfig} from './config-defs.js'
import type {ReplicaManager as ReplicaManagerContract, TopicImage, BrokerLogger} from './context.js'
import type {SingleNodeController} from './metadata/controller.js'
import type {MetadataChange} from './metadata/image.js'

/** A topic's LogConfig from its overrides and the effective broker config; undefined for an unknown topic. */
export function topicLogConfig(controller: SingleNodeController, topicName: string): LogConfig | undefined {
  const topic = controller.topic(topicName)
  if (!topic) return undefined
  return logConfigFromProps(effectiveTopicConfig(topic.configs, controller.effectiveBrokerProps()))
}

/** Partition logs of the topics in the metadata image; see the file comment. */
export class ReplicaManager implements ReplicaManagerContract {
  /** LogConfig per topic name, rebuilt when topic or broker configs change. */
  private configs = new Map<string, LogConfig>()

  constructor(
    private readonly logManager: LogManager,
    private readonly controller: SingleNodeController,
    private readonly logger: BrokerLogger,
  ) {
    controller.onChange((change) => this.apply(change))
  }

  /** Opens the log of every partition in the image (creating missing ones) and removes logs of topics that no longer exist. */
  startup(): void {
    const wanted = new Set<string>()
    for (const topic of this.controller.topics()) {
      for (const p of topic.partitions) {
        wanted.add(`${topic.name}-${p.partition}`)
        this.ensureLog(topic, p.partition)
      }
    }
    // A crash between the RemoveTopicRecord and the directory deletion leaves a stray log behind.
    for (const log of this.logManager.allLogs()) {
      if (!wanted.has(`${log.topic}-${log.partition}`)) {
        this.logger('info', `deleting log ${log.topic}-${log.partition}: its topic no longer exists`)
        this.deleteLog(log.topic, log.partition)
      }
    }
  }

  getLog(topic: string, partition: number): Log | undefined {
    return this.logManager.getLog(topic, partition)
  }

  /** The effective LogConfig of a topic (cached), or undefined for an unknown topic. */
  logConfig(topicName: string): LogConfig | undefined {
    let config = this.configs.get(topicName)
    if (!config) {
      if (!this.controller.topic(topicName)) return undefined
      config = topicLogConfig(this.controller, topicName)!
      this.configs.set(topicName, config)
    }
    return config
  }

  private ensureLog(topic: TopicImage, partition: number): void {
    try {
      this.logManager.getOrCreateLog(topic.name, partition, this.logConfig(topic.name)!)
    } catch (err) {
      this.logger('error', `cannot open log ${topic.name}-${partition}: ${(err as Error).message}`)
    }
  }

  private apply(change: MetadataChange): void {
    try {
      switch (change.kind) {
        case 'topic-created':
          this.configs.delete(change.topic.name)
          break
        case 'partition-created':
          this.ensureLog(change.topic, change.partition.partition)
          break
        case 'topic-removed':
          this.configs.delete(change.topic.name)
          for (const p of change.topic.partitions) this.deleteLog(change.topic.name, p.partition)
          break
        case 'topic-config':
          this.configs.delete(change.topic.name)
          this.pushConfig(change.topic)
          break
        case 'broker-config':
          this.configs.clear()
          for (const topic of this.controller.topics()) this.pushConfig(topic)
          break
      }
    } catch (err) {
      this.logger('error', `applying metadata change ${change.kind} failed: ${(err as Error).message}`)
    }
  }

  /** Renames the dir away now; the files are removed in the background. */
  private deleteLog(topic: string, partition: number): void {
    this.logManager.deleteLog(topic, partition)
      .catch((err: Error) => this.logger('warn', `removing log ${topic}-${partition} failed: ${err.message}`))
  }

  private pushConfig(topic: TopicImage): void {
    const config = this.logConfig(topic.name)
    if (!config) return
    for (const p of topic.partitions) this.getLog(topic.name, p.partition)?.updateConfig(config)
  }
}
