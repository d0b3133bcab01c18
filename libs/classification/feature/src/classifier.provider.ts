import { readFileSync, statSync } from 'node:fs';
import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { defaultModelPath, loadClassifier, type Classifier } from '@klaxon/classification/domain';
import type { Logger } from '@klaxon/platform/observability';
import { LOGGER } from '@klaxon/platform/runtime';

export const CLASSIFICATION_OPTIONS = Symbol('CLASSIFICATION_OPTIONS');

export interface ClassificationOptions {
  /** The model file; the shipped default when not set. */
  modelPath?: string;
  /** How often to look for a new model version (0 = never). */
  reloadIntervalMs?: number;
}

/** Holds the current model and swaps in a new version when the file changes: no restart needed. */
@Injectable()
export class ClassifierProvider implements OnModuleDestroy {
  private classifier: Classifier;
  private loadedMtimeMs: number;
  private readonly path: string;
  private readonly timer: NodeJS.Timeout | null;

  constructor(
    @Inject(CLASSIFICATION_OPTIONS) options: ClassificationOptions,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.path = options.modelPath ?? defaultModelPath();
    this.loadedMtimeMs = statSync(this.path).mtimeMs;
    this.classifier = loadClassifier(readFileSync(this.path, 'utf8'));
    this.logger.info(
      { modelPath: this.path, modelVersion: this.classifier.modelVersion },
      'classifier model loaded',
    );
    const interval = options.reloadIntervalMs ?? 5_000;
    this.timer = interval > 0 ? setInterval(() => this.reloadIfChanged(), interval) : null;
    this.timer?.unref();
  }

  get current(): Classifier {
    return this.classifier;
  }

  /** A broken new file keeps the old model running, with an error in the log. */
  reloadIfChanged(): boolean {
    try {
      const mtimeMs = statSync(this.path).mtimeMs;
      if (mtimeMs === this.loadedMtimeMs) return false;
      const next = loadClassifier(readFileSync(this.path, 'utf8'));
      this.loadedMtimeMs = mtimeMs;
      if (next.modelVersion === this.classifier.modelVersion) return false;
      this.logger.info(
        { from: this.classifier.modelVersion, to: next.modelVersion },
        'classifier model reloaded',
      );
      this.classifier = next;
      return true;
    } catch (err) {
      this.logger.error(
        { err, modelPath: this.path },
        'new classifier model could not be loaded; keeping the current one',
      );
      return false;
    }
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
