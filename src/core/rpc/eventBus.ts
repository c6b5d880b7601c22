// Typed fan-out of protocol events to every connected transport.
import type { EventPayload } from "../../shared/protocol/define.js";
import type { EventTopic, Events } from "../../shared/protocol/endpoints.js";

export type EventListener = (topic: EventTopic, payload: unknown) => void;

export class EventBus {
  readonly #listeners = new Set<EventListener>();

  emit<T extends EventTopic>(topic: T, payload: EventPayload<Events[T]>): void {
    for (const listener of this.#listeners) listener(topic, payload);
  }

  subscribe(listener: EventListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
