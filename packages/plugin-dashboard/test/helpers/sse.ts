/** A minimal Server-Sent Events reader over fetch, for tests. */
export interface SseMessage {
  event: string;
  data: any;
}

export interface SseStream {
  status: number;
  /** Resolves with the next message whose event is `event` (any when omitted), skipping others. */
  next(event?: string, where?: (m: SseMessage) => boolean): Promise<SseMessage>;
  /** Every message read so far. */
  readonly seen: SseMessage[];
  close(): void;
}

export async function openSse(url: string, headers: Record<string, string>): Promise<SseStream> {
  const ac = new AbortController();
  const res = await fetch(url, { headers, signal: ac.signal });
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  const seen: SseMessage[] = [];
  const queue: SseMessage[] = [];
  let buffer = "";
  let ended = false;
  const pump = async (): Promise<void> => {
    const { done, value } = await reader.read();
    if (done) {
      ended = true;
      return;
    }
    buffer += decoder.decode(value, { stream: true });
    let i: number;
    while ((i = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, i);
      buffer = buffer.slice(i + 2);
      let event = "message";
      let data = "";
      for (const line of block.split("\n")) {
        if (line.startsWith("event: ")) event = line.slice(7);
        else if (line.startsWith("data: ")) data += line.slice(6);
      }
      if (data === "") continue;
      const m = { event, data: JSON.parse(data) };
      seen.push(m);
      queue.push(m);
    }
  };
  return {
    status: res.status,
    seen,
    async next(event, where) {
      for (;;) {
        while (queue.length > 0) {
          const m = queue.shift()!;
          if ((event === undefined || m.event === event) && (where === undefined || where(m))) return m;
        }
        if (ended) throw new Error(`stream ended before a "${event ?? "any"}" message`);
        await pump();
      }
    },
    close: () => ac.abort(),
  };
}
