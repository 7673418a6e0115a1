/**
 * kafkajs 2.2.4, its last release, keeps a 1 ms timer going on every broker connection once the
 * connection has sent a request: `RequestQueue.checkPendingRequests` always ends by scheduling the
 * next check, and with nothing pending and no throttle that check is scheduled at
 * `throttledUntil (-1) - Date.now()`, a negative delay Node runs after 1 ms (kafkajs issues 1556,
 * 1604 and 1704; the fix of pull request 1667 is not released). An idle relay or saga process
 * spent most of its idle CPU in that loop.
 *
 * The check is needed only while requests wait (in-flight limit or throttle); with none waiting
 * it is skipped. A request pushed later is sent at once, or queued, which schedules a check again.
 * docs/adr/0030-kafkajs-idle-timer-fix.md says why this is patched here.
 */

interface RequestQueueInternals {
  readonly pending: readonly unknown[];
  readonly throttledUntil: number;
  scheduleCheckPendingRequests(this: RequestQueueInternals): void;
}

const FIXED = Symbol.for('oms.kafkajs.idleTimerFixed');

/** Installs the fix once per process on kafkajs's RequestQueue (the one every kafkajs connection uses). */
export function fixKafkajsIdleTimer(): void {
  // kafkajs exports no RequestQueue; its module is resolved from the same package the client comes from.
  let queue: { prototype?: RequestQueueInternals & { [FIXED]?: true } };
  try {
    queue = require('kafkajs/src/network/requestQueue') as typeof queue;
  } catch {
    return; // another kafkajs layout: left as it is (the integration test says so)
  }
  const prototype = queue.prototype;
  if (!prototype || typeof prototype.scheduleCheckPendingRequests !== 'function' || prototype[FIXED]) return;
  const schedule = prototype.scheduleCheckPendingRequests;
  prototype.scheduleCheckPendingRequests = function (this: RequestQueueInternals): void {
    if (this.pending.length === 0 && this.throttledUntil <= Date.now()) return;
    schedule.call(this);
  };
  prototype[FIXED] = true;
}
