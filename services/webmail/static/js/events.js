// events.js - live updates: Server-Sent Events from GET /api/events (mailbox events).

let source = null;

// eventsStart - listen for "mailbox" events; onChange(event data) for each, and after reconnects
export function eventsStart(onChange) {
  eventsStop();
  if (!window.EventSource) return;
  source = new EventSource('/api/events');
  source.addEventListener('mailbox', (ev) => {
    let data = null;
    try {
      data = JSON.parse(ev.data);
    } catch (e) {
      return; // a hint we cannot read is a hint we can ignore
    }
    onChange(data);
  });
  // Events are hints: after the browser reconnects, fetch everything again.
  source.addEventListener('open', () => onChange(null));
}

// eventsStop - close the stream (logout)
export function eventsStop() {
  if (source) source.close();
  source = null;
}
