import type { OrderEvent, Subscriber } from '../db';

/** Sends one event to one subscriber's endpoint. One outbound HTTP request: I/O-bound. */
export async function deliver(subscriber: Subscriber, event: OrderEvent): Promise<void> {
  const response = await fetch(subscriber.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-event-id': event.id },
    body: event.payload,
  });
  if (!response.ok) throw new Error(`subscriber ${subscriber.id} answered ${response.status}`);
}
