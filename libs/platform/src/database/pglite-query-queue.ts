/** One protocol message waiting for the embedded database, as the socket server queues it. */
interface QueuedMessage {
  handlerId: number;
  message: Uint8Array;
  resolve(bytes: number): void;
  reject(e: unknown): void;
  onData(data: Uint8Array): void;
}

/** The socket server's queue of protocol messages in front of the single PGlite session. */
interface MessageQueue {
  queue: QueuedMessage[];
  processing: boolean;
  lastHandlerId: number | null;
  db: {
    isInTransaction(): boolean;
    runExclusive<T>(fn: () => Promise<T>): Promise<T>;
    execProtocolRawStream(message: Uint8Array, options: { onRawData(data: Uint8Array): void }): Promise<unknown>;
  };
  processQueue(): Promise<void>;
  clearQueueForHandler(handlerId: number): void;
}

/** Parse, Bind, Describe, Execute, Close and Flush: the extended protocol until its Sync. */
const EXTENDED = new Set(['P', 'B', 'D', 'E', 'C', 'H'].map((c) => c.charCodeAt(0)));
const SYNC = 'S'.charCodeAt(0);
const QUERY = 'Q'.charCodeAt(0);

/**
 * Every connection of the socket server shares PGlite's one session, and the server takes one
 * protocol message at a time from whichever connection sent one, keeping to one connection
 * only inside a transaction. A parameterised query is several messages (Parse, Bind, Execute,
 * Sync) around one unnamed statement, so two connections querying at once bound their values
 * to each other's statement ("bind message supplies 14 parameters, but prepared statement
 * requires 7"), and a failed message stopped the queue for good
 * (electric-sql/pglite#1046). Here a connection keeps the session from its first extended
 * message to its Sync, as in a transaction, and a failure answers only its sender.
 */
export function keepExtendedQueriesTogether(server: object): void {
  const q = (server as { queryQueue?: MessageQueue }).queryQueue;
  if (!q || !Array.isArray(q.queue) || typeof q.db?.execProtocolRawStream !== 'function') {
    throw new Error('The embedded database socket server has no message queue to order');
  }
  let holder: number | null = null;

  q.processQueue = async function processQueue(): Promise<void> {
    if (q.processing || q.queue.length === 0) return;
    q.processing = true;
    try {
      while (q.queue.length > 0) {
        const owner = holder ?? (q.db.isInTransaction() ? q.lastHandlerId : null);
        let item: QueuedMessage | undefined;
        if (owner !== null) {
          const i = q.queue.findIndex((m) => m.handlerId === owner);
          if (i < 0) break; // the owner's next message has not arrived yet
          item = q.queue.splice(i, 1)[0];
        } else {
          item = q.queue.shift();
        }
        if (!item) break;
        const kind = item.message[0];
        if (EXTENDED.has(kind)) holder = item.handlerId;
        else if (kind === SYNC || kind === QUERY) holder = null;
        let bytes = 0;
        const current = item;
        try {
          await q.db.runExclusive(() =>
            q.db.execProtocolRawStream(current.message, {
              onRawData: (data) => {
                bytes += data.length;
                current.onData(data);
              },
            }),
          );
        } catch (e) {
          if (holder === current.handlerId) holder = null;
          current.reject(e);
          continue;
        }
        q.lastHandlerId = current.handlerId;
        current.resolve(bytes);
      }
    } finally {
      q.processing = false;
    }
  };

  const clear = q.clearQueueForHandler.bind(q);
  q.clearQueueForHandler = (handlerId: number) => {
    clear(handlerId);
    // A connection that closed halfway through a query no longer holds the session.
    if (holder === handlerId) {
      holder = null;
      void q.processQueue();
    }
  };
}
