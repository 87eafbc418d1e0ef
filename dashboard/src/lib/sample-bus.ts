/** Fans the live `samples` messages of the open device out to its charts. */
import type { LiveSamplesMessage } from '../../../shared/live.js';

export type SampleListener = (message: LiveSamplesMessage) => void;

export interface SampleBus {
  publish(message: LiveSamplesMessage): void;
  subscribe(listener: SampleListener): () => void;
}

export function createSampleBus(): SampleBus {
  const listeners = new Set<SampleListener>();
  return {
    publish: (message) => listeners.forEach((l) => l(message)),
    subscribe: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
