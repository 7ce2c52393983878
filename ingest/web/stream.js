// Server-Sent Events read with fetch. EventSource cannot send an Authorization header, and a key
// (or any token standing for it) in the URL would be written to access logs, proxies and history;
// fetch reads the same text/event-stream and sends the key as a header, as every other call does.
// Reconnecting with Last-Event-ID is the caller's (jobs.js), as EventSource would do it.

// Calls onEvent(name, data, id) for each event of the stream `body` until it ends.
export async function readEvents(body, onEvent) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  let event = { name: "message", data: [], id: null };
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let newline;
    while ((newline = buffer.indexOf("\n")) >= 0) {
      const line = buffer.slice(0, newline).replace(/\r$/, "");
      buffer = buffer.slice(newline + 1);
      if (line === "") {
        if (event.data.length) onEvent(event.name, event.data.join("\n"), event.id);
        event = { name: "message", data: [], id: null };
      } else if (!line.startsWith(":")) { // a comment (the server's keep-alive) is skipped
        const colon = line.indexOf(":");
        const field = colon < 0 ? line : line.slice(0, colon);
        const text = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
        if (field === "event") event.name = text;
        else if (field === "data") event.data.push(text);
        else if (field === "id") event.id = text;
      }
    }
  }
}
