// The agent's console: availability, the call ringing here (accept or reject before it moves
// on), the calls in progress (the agent makes each one's WebRTC offer, see call-peer.js) and the
// recent calls. The server decides every state; this page shows the last one it pushed.
(function () {
  "use strict";
  const calls = window.porteroCallPeer;
  const chats = window.porteroConsoleChat;
  const session = window.porteroSession;
  const say = session.say;
  const $ = (id) => document.getElementById(id);
  const lang = document.documentElement.lang;
  const pageTitle = document.title;
  const ringer = new window.PorteroRinger(pageTitle);
  window.porteroRinger = ringer; // for tests and diagnostics

  const state = {
    socket: null,
    iceServers: [],
    console: null, // the last state pushed
    stream: null,
    media: null, // a promise of the stream
    calls: new Map(), // call_id → {call, peer, chat: [[message, mine]]}
    customerMedia: new Map(), // call_id → the customer's last `media` (sent while it rings too)
    shown: null, // the call_id on screen
    offered: null, // the last offer that rang here
    countdown: null,
  };
  let view = null;
  let deviceCheck = null;
  let recent = null; // the recent calls (console-recent.js)
  let handing = null; // transfers (console-transfer.js)
  // Errors of a transfer asked for: the form's status says them.
  const TRANSFER_REFUSALS = ["TransferUnavailable", "TransferPending", "AgentNotFound",
    "CategoryNotFound", "CallNotActive"];

  // --- The calls in progress ---------------------------------------------------------------------

  function customerName(call) {
    return call.customer.name || call.customer.cellphone || "";
  }

  // A new connection for the call, and our offer (on accepting, and when the customer asks).
  async function offer(callId) {
    const entry = state.calls.get(callId);
    if (!entry) return;
    await state.media;
    if (entry.peer) entry.peer.close();
    const peer = new calls.Peer({
      iceServers: state.iceServers,
      stream: state.stream,
      send: function (data) { state.socket.send({ type: "signal", call_id: callId, data: data }); },
      track: function () { view.showRemote(peer); },
      // Our screen goes to the call on screen only.
      screenTrack: function () { return state.shown === callId ? view.screen.track : null; },
      state: function (connection) { view.connectionState(peer, connection); },
    });
    entry.peer = peer;
    if (state.shown === callId) view.attach(peer, callId);
    await peer.offer();
    tellMedia(callId, view.mediaState());
  }

  // The customer is told of our microphone and camera with every offer and on every change.
  function tellMedia(callId, media) {
    const screen = callId === state.shown && view.screen.sharing ? "on" : "off";
    state.socket.send(Object.assign({ type: "media", call_id: callId }, media, { screen: screen }));
  }

  function onMedia(incoming) {
    const callId = incoming.call_id;
    state.customerMedia.set(callId, incoming);
    const entry = state.calls.get(callId);
    if (state.shown === callId && entry) view.setRemote(customerName(entry.call), incoming);
    const offered = state.console && state.console.offer;
    if (offered && offered.call_id === callId) showOfferMedia(offered);
  }

  function showOfferMedia(offered) {
    window.porteroCallMedia.showHint(
      $("offer-media"), state.customerMedia.get(offered.call_id) || null, customerName(offered));
  }

  function showCall(callId) {
    state.shown = callId;
    const entry = callId ? state.calls.get(callId) : null;
    $("call-customer").hidden = !entry;
    if (!entry) handing.close();
    view.show(Boolean(entry));
    for (const tab of $("call-tabs").querySelectorAll("button")) {
      tab.setAttribute("aria-pressed", String(tab.dataset.call === callId));
    }
    if (!entry) return;
    const call = entry.call;
    $("call-title").textContent = say("in_call", { name: customerName(call) });
    view.timeFrom(call.answered_at);
    $("call-cellphone").textContent = call.customer.cellphone || "";
    calls.showTickets($("call-tickets"), call.tickets);
    view.setRemote(customerName(call), state.customerMedia.get(callId) || null);
    view.clearChat();
    for (const [said, mine, name] of entry.chat) {
      view.addChat(said, mine, name || customerName(call));
    }
    handing.show(call);
    if (entry.peer) {
      view.attach(entry.peer, callId);
      if (entry.peer.remote.getTracks().length) view.showRemote(entry.peer);
      view.connectionState(entry.peer, entry.peer.pc.connectionState);
    }
  }

  function myCode() {
    return state.console ? state.console.agent.code : "";
  }

  // A call taken over from another agent starts with the chat its offer showed.
  function history(callId) {
    const offered = state.offered;
    if (!offered || offered.call_id !== callId || !offered.messages) return [];
    return chats.entries(offered.messages, myCode());
  }

  function onHistory(entry, said) {
    entry.chat = chats.merged(said, entry.live, myCode());
    entry.live = null;
    if (state.shown === entry.call.call_id) showCall(entry.call.call_id);
  }

  function syncCalls(inProgress) {
    const now = new Set(inProgress.map((call) => call.call_id));
    for (const [callId, entry] of state.calls) {
      if (now.has(callId)) continue;
      if (entry.peer) entry.peer.close();
      state.calls.delete(callId);
      state.customerMedia.delete(callId);
      if (state.shown === callId) {
        showCall(null);
        const to = handing.handedOver(state.console, callId);
        message(to === null ? say("call_ended", { name: customerName(entry.call) })
          : say("transferred_away", { name: customerName(entry.call), to: to }));
      }
    }
    for (const call of inProgress) {
      const known = state.calls.get(call.call_id);
      if (known) {
        known.call = call;
        continue;
      }
      // The chat said so far, whoever it was with: a call taken over by a transfer (its offer
      // showed it as it rang), or this console reloaded (console-chat.js).
      const entry = { call: call, peer: null, chat: history(call.call_id), live: [] };
      state.calls.set(call.call_id, entry);
      state.socket.send({ type: "transcript", call_id: call.call_id });
      offer(call.call_id).catch(function (failure) { console.warn(failure); });
    }
    const tabs = $("call-tabs");
    tabs.replaceChildren();
    for (const call of inProgress) {
      const tab = document.createElement("button");
      tab.type = "button";
      tab.className = "quiet";
      tab.dataset.call = call.call_id;
      tab.textContent = customerName(call);
      tab.onclick = function () { showCall(call.call_id); };
      tabs.append(tab);
    }
    tabs.hidden = inProgress.length < 2;
    if (!state.shown || !state.calls.has(state.shown)) {
      if (inProgress.length) {
        message("");
        showCall(inProgress[0].call_id);
      }
    } else {
      showCall(state.shown);
    }
  }

  // --- The offer ringing -------------------------------------------------------------------------

  function showOffer(offered) {
    clearInterval(state.countdown);
    $("offer").hidden = !offered;
    if (offered) state.offered = offered; // kept past its accept: the new call's chat
    handing.showOffer(offered);
    if (!offered) return ringer.stop();
    ringer.start(offered, "● " + say("ringing_title") + " · " + pageTitle, offered.customer.name || "");
    $("offer").dataset.call = offered.call_id;
    $("offer-name").textContent = offered.customer.name || "";
    $("offer-cellphone").textContent = offered.customer.cellphone || "";
    $("offer-email").textContent = offered.customer.email || "";
    $("offer-email").hidden = $("offer-email-label").hidden = !offered.customer.email;
    calls.showTickets($("offer-tickets"), offered.tickets);
    showOfferMedia(offered);
    $("accept").disabled = $("reject").disabled = false;
    const ends = Date.parse(offered.expires_at);
    const tick = function () {
      const seconds = Math.max(0, Math.ceil((ends - Date.now()) / 1000));
      $("offer-countdown").textContent = say("rings_for", { seconds: seconds });
    };
    tick();
    state.countdown = setInterval(tick, 1000);
  }

  function answerOffer(kind) {
    const callId = $("offer").dataset.call;
    $("accept").disabled = $("reject").disabled = true;
    ringer.stop();
    message("");
    state.socket.send({ type: kind, call_id: callId });
  }

  // --- Presence -----------------------------------------------------------------------------------

  function showPresence(presence) {
    for (const input of $("presence").querySelectorAll("input")) {
      input.checked = input.value === presence;
    }
    $("presence").disabled = false;
    $("presence").dataset.presence = presence;
  }

  function showIdle(current) {
    const busy = current.offer || current.calls.length;
    $("idle").hidden = Boolean(busy);
    $("idle").textContent = say("idle." + current.agent.presence);
    // The devices are checked between calls: a call in progress closes the test.
    $("device-check").hidden = current.calls.length > 0;
    if (current.calls.length) deviceCheck.close();
  }

  function message(text) {
    $("message").textContent = text;
  }

  // --- What the server pushes --------------------------------------------------------------------

  function onState(current) {
    state.console = current;
    $("nickname").textContent = current.agent.name;
    showPresence(current.agent.presence);
    showOffer(current.offer);
    syncCalls(current.calls);
    for (const callId of state.customerMedia.keys()) {
      const ringing = current.offer && current.offer.call_id === callId;
      if (!ringing && !state.calls.has(callId)) state.customerMedia.delete(callId);
    }
    window.porteroConsoleCallbacks.show(current.callbacks || [], function (callbackId) {
      state.socket.send({ type: "callback_done", callback_id: callbackId });
    });
    recent.show(current.recent);
    showIdle(current);
  }

  function onMessage(incoming) {
    $("offline").hidden = true;
    if (incoming.type === "welcome") {
      state.iceServers = incoming.ice_servers || [];
      view.files.maxBytes = incoming.file_max_bytes || 0;
      // Back after a lost connection: the calls whose media went down too start over (the
      // customer's signals sent meanwhile are lost).
      for (const [callId, entry] of state.calls) {
        if (!entry.peer || entry.peer.pc.connectionState !== "connected") {
          offer(callId).catch(function (failure) { console.warn(failure); });
        }
      }
    } else if (incoming.type === "state") {
      onState(incoming);
    } else if (incoming.type === "signal") {
      const entry = state.calls.get(incoming.call_id);
      if (entry && entry.peer) {
        entry.peer.receive(incoming.data || {}).catch(function (f) { console.warn(f); });
      }
    } else if (incoming.type === "ready") {
      offer(incoming.call_id).catch(function (failure) { console.warn(failure); });
    } else if (incoming.type === "chat") {
      const entry = state.calls.get(incoming.call_id);
      if (!entry) return;
      entry.chat.push([incoming, false]);
      if (entry.live) entry.live.push([incoming, false]);
      if (state.shown === incoming.call_id) view.addChat(incoming, false, customerName(entry.call));
    } else if (incoming.type === "media") {
      onMedia(incoming);
    } else if (incoming.type === "transcript") {
      const entry = state.calls.get(incoming.call_id);
      if (entry && entry.live) onHistory(entry, incoming.messages);
      else recent.received(incoming);
    } else if (incoming.type === "directory") {
      handing.directory(incoming);
    } else if (incoming.type === "error") {
      if (incoming.code === "OfferGone") message(say("offer_gone"));
      if (incoming.code === "CallNotFound") recent.refused();
      if (TRANSFER_REFUSALS.includes(incoming.code)) handing.refused(incoming.code);
      if (state.console) showIdle(state.console);
    }
  }

  function start() {
    deviceCheck = new window.PorteroDeviceCheck();
    handing = new window.PorteroTransfers({
      send: function (outgoing) { return state.socket.send(outgoing); },
      shown: function () {
        const entry = state.shown ? state.calls.get(state.shown) : null;
        return entry ? entry.call : null;
      },
    });
    recent = new window.PorteroRecentCalls({
      send: function (outgoing) { return state.socket.send(outgoing); },
      duration: calls.duration,
    });
    view = new calls.CallView({
      hangUp: function () {
        if (state.shown) state.socket.send({ type: "hangup", call_id: state.shown });
      },
      chat: function (text) {
        const callId = state.shown;
        if (!callId || !state.socket.send({ type: "chat", call_id: callId, text: text })) {
          return false;
        }
        const sent = { text: text, at: new Date().toISOString() };
        const entry = state.calls.get(callId);
        entry.chat.push([sent, true]);
        if (entry.live) entry.live.push([sent, true]);
        view.addChat(sent, true);
        return true;
      },
      media: function (media) {
        for (const callId of state.calls.keys()) tellMedia(callId, media);
      },
      callId: function () { return state.shown; },
      fileSent: function (sent) {
        const entry = state.shown ? state.calls.get(state.shown) : null;
        if (!entry) return;
        entry.chat.push([sent, true]);
        if (entry.live) entry.live.push([sent, true]);
      },
    });
    $("accept").onclick = function () { answerOffer("accept"); };
    $("reject").onclick = function () { answerOffer("reject"); };
    $("presence").onchange = function (event) {
      if (event.target.value === "available") ringer.unlock(); // the gesture sound needs
      message("");
      state.socket.send({ type: "presence", presence: event.target.value });
    };
    state.media = calls.localMedia().then(function (stream) {
      state.stream = stream;
      view.setStream(stream);
      $("call").classList.toggle("chat-only", !stream);
    });
    state.socket = calls.openSocket("/play/api/console/ws", {
      message: onMessage,
      lost: function () {
        $("offline").hidden = false;
        $("presence").disabled = true;
      },
      ended: function () {
        for (const entry of state.calls.values()) if (entry.peer) entry.peer.close();
        session.show("ended");
      },
    });
  }

  window.porteroSession.onSession(start, { once: true });
})();
