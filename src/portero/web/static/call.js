// The customer's page of a call: the waiting room (camera preview, request, place in the queue),
// then the call with the agent, then how it ended. The server decides every state; this page
// shows the last one it pushed and answers the agent's offers (see call-peer.js).
(function () {
  "use strict";
  const calls = window.porteroCallPeer;
  const session = window.porteroSession;
  const say = session.say;
  const $ = (id) => document.getElementById(id);
  const FINAL = ["completed", "missed", "abandoned"];

  const state = {
    socket: null,
    iceServers: [],
    call: null, // the last state pushed
    fresh: true, // no state yet on this socket connection
    stream: null,
    mediaSettled: false,
    answeredWithoutMedia: false,
    peer: null,
    agentName: "",
    agentMedia: null, // the agent's last `media` message
    liveChat: null, // while the transcript is on its way: the chat that came meanwhile
    // The customer asked to leave the queue and no final state has come yet: a hangup lost
    // with a dropped connection is sent again once the socket is back (see `showState`).
    leaving: false,
  };
  let view = null;

  function panel(id) {
    for (const name of ["waiting", "unanswered", "call", "over"]) $(name).hidden = name !== id;
  }

  // --- Media -----------------------------------------------------------------------------------

  async function startMedia() {
    state.stream = await calls.localMedia();
    state.mediaSettled = true;
    view.setStream(state.stream);
    const hasVideo = state.stream && state.stream.getVideoTracks().length > 0;
    $("preview").hidden = !hasVideo;
    if (hasVideo) calls.play($("preview"), state.stream, null);
    $("camera-note").textContent = state.stream ? "" : say("camera_refused");
    $("camera-note").hidden = Boolean(state.stream);
    $("call").classList.toggle("chat-only", !state.stream);
    sendMedia();
    // An offer answered before the camera was allowed: ask the agent for a new one.
    if (state.answeredWithoutMedia && state.stream && isConnected()) {
      state.answeredWithoutMedia = false;
      state.socket.send({ type: "ready" });
    }
  }

  // What the agent is told of our microphone and camera (the offer's and the call's hints, the
  // badges): once known, on every connection, every change and every new offer.
  function sendMedia() {
    if (state.mediaSettled && state.socket) {
      state.socket.send(Object.assign({ type: "media" }, view.mediaState()));
    }
  }

  function isConnected() {
    return state.call && state.call.status === "connected";
  }

  // --- The agent's offers ----------------------------------------------------------------------

  function dropPeer() {
    if (state.peer) state.peer.close();
    state.peer = null;
  }

  async function onSignal(data) {
    if (data.description && data.description.type === "offer") {
      dropPeer(); // every offer starts the connection over (the agent reloaded, or we did)
      const peer = new calls.Peer({
        iceServers: state.iceServers,
        stream: state.stream,
        send: function (signal) { state.socket.send({ type: "signal", data: signal }); },
        track: function () { view.showRemote(peer); },
        screenTrack: function () { return view.screen.track; },
        state: function (connection) {
          view.connectionState(peer, connection);
          // A connection that failed for good: ask the agent to start over.
          if (connection === "failed" && peer === state.peer && isConnected()) {
            state.socket.send({ type: "ready" });
          }
        },
      }, data.peer);
      state.peer = peer;
      view.attach(peer);
      state.answeredWithoutMedia = !state.mediaSettled;
      sendMedia(); // a new offer may come from a reloaded console, which forgot them
      await peer.answer(data.description);
    } else if (state.peer) {
      await state.peer.receive(data);
    }
  }

  // --- What the server pushes ------------------------------------------------------------------

  function showState(call) {
    const first = state.fresh;
    state.fresh = false;
    state.call = call;
    $("app").dataset.status = call.status;
    calls.showTickets($("ticket-list"), call.tickets);
    $("tickets").hidden = !(call.tickets && call.tickets.length);
    if (call.agent && call.agent.name !== state.agentName) {
      // Another agent took the call over (a transfer): their offer follows; the chat stays.
      const before = state.agentName;
      state.agentName = call.agent.name;
      state.agentMedia = null;
      if (before && call.status === "connected") {
        view.addNotice(say("agent_changed", { name: call.agent.name }));
        view.screen.stop(); // shared with the first agent: the next one is asked anew
      }
    }
    // "In a call with Ana" while the call is on, and not once it has ended.
    const talking = call.status === "connected" && call.agent;
    $("agent-name").textContent = talking ? say("with_agent", { name: call.agent.name }) : "";

    if (call.status === "waiting" || call.status === "ringing") {
      panel("waiting");
      // Still queued after asking to leave: this state is the first of a new connection (the
      // hangup went down with the old one) or overtook the hangup; asking again costs nothing.
      if (state.leaving) leave();
      $("leave-queue").disabled = state.leaving;
      const status = $("queue-status");
      if (call.status === "ringing") status.textContent = say("ringing");
      else if (call.position) status.textContent = say("position", { n: call.position });
      else status.textContent = say("waiting");
      status.dataset.position = call.position || "";
    } else if (call.status === "connected") {
      panel("call");
      view.show(true);
      view.setRemote(state.agentName, state.agentMedia);
      view.timeFrom(call.answered_at);
      // Back on a call already connected (a reload, a lost connection): the agent offers anew,
      // and the chat said so far comes back from the call's transcript.
      if (first) {
        state.socket.send({ type: "ready" });
        state.liveChat = [];
        state.socket.send({ type: "transcript" });
      }
    } else {
      finished(call);
    }
  }

  function finished(call) {
    state.socket.stop(); // the server closes the socket after a final state
    dropPeer();
    view.show(false);
    if (call.status === "completed") {
      panel("over");
      const seconds = (Date.parse(call.ended_at) - Date.parse(call.answered_at)) / 1000;
      $("duration").textContent = Number.isFinite(seconds)
        ? say("duration", { duration: calls.duration(seconds) }) : "";
      if (state.stream) for (const track of state.stream.getTracks()) track.stop();
    } else {
      panel("unanswered");
      const why = call.closed ? "closed" : call.status;
      $("unanswered-title").textContent = say(why + ".title");
      // The partner's own words for a desk that did not answer, when it has some.
      const missed = call.status === "missed";
      $("unanswered-body").textContent = (missed && call.offline_message) || say(why + ".body");
      // Trying again at once cannot reach a closed desk: the callback is the way on.
      $("try-again").hidden = Boolean(call.closed);
      $("try-again").className = missed ? "quiet" : "primary"; // the callback leads when offered
      $("callback").hidden = !missed || Boolean(call.callback);
      $("callback-done").hidden = !(missed && call.callback);
    }
  }

  // --- A callback request, after a call nobody answered ------------------------------------------

  async function sendCallback(event) {
    event.preventDefault();
    const when = $("callback-when").value;  // the browser's local time, sent as an instant
    const body = { message: $("callback-message").value };
    if (when) body.preferred_at = new Date(when).toISOString();
    $("callback-send").disabled = true;
    $("callback-error").hidden = true;
    let response = null;
    try {
      response = await session.fetch("/play/api/call/callback", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(body),
      });
    } catch (failure) {
      console.warn(failure);
    }
    // 409: this call has its request already (from another tab, or an answer lost on the way).
    if (response && (response.ok || response.status === 409)) {
      $("callback").hidden = true;
      $("callback-done").hidden = false;
      return;
    }
    $("callback-error").hidden = false;
    $("callback-send").disabled = false;
  }

  function onMessage(message) {
    $("offline").hidden = true;
    if (message.type === "welcome") {
      state.iceServers = message.ice_servers || [];
      view.files.maxBytes = message.file_max_bytes || 0;
      state.fresh = true;
      sendMedia();
    } else if (message.type === "state") {
      showState(message);
    } else if (message.type === "signal") {
      onSignal(message.data || {}).catch(function (failure) { console.warn(failure); });
    } else if (message.type === "chat") {
      view.addChat(message, false, state.agentName || say("agent"));
      if (state.liveChat) state.liveChat.push(message);
    } else if (message.type === "transcript") {
      showTranscript(message.messages);
    } else if (message.type === "media") {
      state.agentMedia = message;
      view.setRemote(state.agentName || say("agent"), message);
    } else if (message.type === "error" && state.leaving) {
      // The hangup was not acted on (the database was busy, say): the customer may ask again.
      state.leaving = false;
      $("leave-queue").disabled = false;
    }
  }

  // The chat as the transcript keeps it, then what came since it was asked for that it does
  // not have yet (told apart by who wrote it and its text).
  function showTranscript(said) {
    const key = (from, text) => from + "\n" + text;
    const known = new Set(said.map((message) => key(message.from, message.text)));
    const since = (state.liveChat || []).filter((m) => !known.has(key(m.from, m.text)));
    state.liveChat = null;
    view.clearChat();
    for (const message of said) {
      const name = message.agent ? message.agent.name : state.agentName;
      view.addChat(message, message.from === "customer", name);
    }
    for (const message of since) {
      view.addChat(message, message.from === "customer", state.agentName || say("agent"));
    }
  }

  function leave() {
    state.leaving = true;
    state.socket.send({ type: "hangup" });
  }

  // --- The customer's rating, once the call is over --------------------------------------------

  function chosenScore() {
    const chosen = document.querySelector("#rating input[name=score]:checked");
    return chosen ? Number(chosen.value) : null;
  }

  async function sendRating(event) {
    event.preventDefault();
    const score = chosenScore();
    if (score === null) return;
    $("rating-send").disabled = true;
    $("rating-error").hidden = true;
    let response = null;
    try {
      response = await session.fetch("/play/api/call/rating", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ score: score, comment: $("rating-comment").value }),
      });
    } catch (failure) {
      response = null; // no answer: the customer may send it again
    }
    // 409: this call already has its rating (sent from another tab, or an answer lost on the
    // way back): thanked the same.
    if (response && (response.ok || response.status === 409)) {
      $("rating").hidden = true;
      $("rating-done").hidden = false;
      return;
    }
    $("rating-error").hidden = false;
    $("rating-send").disabled = false;
  }

  function connect() {
    state.fresh = true;
    state.socket = calls.openSocket("/play/api/call/ws", {
      message: onMessage,
      lost: function () { $("offline").hidden = false; },
      ended: function (code) {
        dropPeer();
        if (code === 4409) $("ended-body").textContent = say("taken");
        session.show("ended");
      },
    });
  }

  function start(session) {
    const player = session.player;
    $("nickname").textContent = player.name || player.nickname || player.id;
    view = new calls.CallView({
      hangUp: function () { state.socket.send({ type: "hangup" }); },
      chat: function (text) {
        if (!state.socket.send({ type: "chat", text: text })) return false;
        view.addChat({ text: text }, true);
        if (state.liveChat) state.liveChat.push({ from: "customer", text: text });
        return true;
      },
      media: sendMedia,
    });
    $("leave-queue").onclick = function () {
      $("leave-queue").disabled = true;
      leave();
    };
    $("rating").addEventListener("change", function () {
      $("rating-send").disabled = chosenScore() === null;
    });
    $("rating").addEventListener("submit", sendRating);
    $("callback").addEventListener("submit", sendCallback);
    $("try-again").onclick = function () {
      panel("waiting");
      $("queue-status").textContent = say("connecting");
      $("leave-queue").disabled = true;
      state.leaving = false;
      state.fresh = true;
      state.agentMedia = null; // a new request: whoever answers it tells their own
      state.socket.restart(); // a new hello joins the queue again, as a new request
    };
    panel("waiting");
    startMedia().catch(function () {
      state.mediaSettled = true;
      sendMedia();
    });
    connect();
  }

  window.porteroSession.onSession(start, { once: true });
})();
