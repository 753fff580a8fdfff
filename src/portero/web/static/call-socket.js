// The WebSocket of a call page (the customer's call.js, the agent's console.js): the hello
// that authenticates it, the heartbeat and the reconnection after a lost connection.
(function () {
  "use strict";
  const session = window.porteroSession;
  const KEEP_ALIVE_MS = 5 * 60 * 1000; // the play session's idle clock (30 min by default)

  // Opens `path`, says hello with the session token, pings every heartbeat (that is what keeps
  // the agent available and the customer in the queue) and reconnects after a lost connection.
  // handlers: message(m), lost(), ended(code) (no reconnecting: the play session is over
  // (4401), the partner may no longer offer the product (4403), or the link's call is live in
  // another browser (4409); docs/products/calls.md, "Close codes").
  function openSocket(path, handlers) {
    let socket = null;
    let heartbeat = null;
    let retry = null;
    let failures = 0;
    let stopped = false;

    function url() {
      return (location.protocol === "https:" ? "wss://" : "ws://") + location.host + path;
    }

    function connect() {
      clearTimeout(retry);
      const current = new WebSocket(url());
      socket = current;
      current.onopen = function () {
        current.send(JSON.stringify({ type: "hello", token: session.token }));
      };
      current.onmessage = function (event) {
        if (current !== socket) return;
        let message;
        try { message = JSON.parse(event.data); } catch (malformed) { return; }
        if (message.type === "welcome") {
          failures = 0;
          clearInterval(heartbeat);
          const every = Math.max(1, message.heartbeat_seconds || 5) * 1000;
          heartbeat = setInterval(function () { send({ type: "ping" }); }, every);
        }
        handlers.message(message);
      };
      current.onclose = function (event) {
        if (current !== socket) return;
        clearInterval(heartbeat);
        if (event.code === 4401 || event.code === 4403 || event.code === 4409) {
          stopped = true;
          handlers.ended(event.code);
          return;
        }
        if (stopped) return;
        handlers.lost();
        failures += 1;
        retry = setTimeout(connect, Math.min(15000, 500 * Math.pow(2, failures)));
      };
    }

    function send(message) {
      if (!socket || socket.readyState !== WebSocket.OPEN) return false;
      socket.send(JSON.stringify(message));
      return true;
    }

    // Some activity on the play session now and then, so that a reload still finds it alive.
    const keepAlive = setInterval(function () {
      if (!stopped) session.fetch("/play/api/session").catch(function () {});
    }, KEEP_ALIVE_MS);

    connect();
    return {
      send: send,
      // No reconnection after this: the server is about to close a finished call's socket.
      stop: function () { stopped = true; clearInterval(heartbeat); clearTimeout(retry); },
      restart: function () {
        stopped = false;
        failures = 0;
        if (socket) { socket.onclose = null; socket.close(); }
        connect();
      },
      close: function () {
        stopped = true;
        clearInterval(keepAlive);
        clearInterval(heartbeat);
        if (socket) socket.close();
      },
    };
  }

  window.porteroCallSocket = { openSocket: openSocket };
})();
