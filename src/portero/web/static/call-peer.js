// What both call pages share (the customer's call.js and the agent's console.js): the page's
// WebSocket, the camera and microphone, the WebRTC connection of a call, the media controls and
// the chat. The agent always makes the offer; the customer answers whatever offer it gets.
//
// Signals carry `peer`, the id of the offer they belong to: each side drops the candidates and
// answers of a connection it has already replaced (a reload on either side starts a new one).
(function () {
  "use strict";
  const session = window.porteroSession;
  const $ = (id) => document.getElementById(id);
  const KEEP_ALIVE_MS = 5 * 60 * 1000; // the play session's idle clock (30 min by default)

  // --- The page's socket ---------------------------------------------------------------------

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

  // --- Camera and microphone -----------------------------------------------------------------

  // The local stream, or null when the browser has no camera or microphone or they are
  // refused (then the call goes on receive-only, and by chat).
  async function localMedia() {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) return null;
    const constraints = [
      { audio: true, video: { width: { ideal: 640 }, height: { ideal: 480 } } },
      { audio: true, video: false },
    ];
    for (const wanted of constraints) {
      try {
        return await navigator.mediaDevices.getUserMedia(wanted);
      } catch (refused) {
        if (refused && refused.name === "NotAllowedError") return null;
      }
    }
    return null;
  }

  // A video element showing a stream; a refused autoplay (sound without a gesture) plays muted
  // and offers the "sound on" button.
  function play(video, stream, soundButton) {
    if (video.srcObject !== stream) video.srcObject = stream;
    const started = video.play();
    if (!started || !soundButton) return;
    started.catch(function () {
      video.muted = true;
      video.play().catch(function () {});
      soundButton.hidden = false;
      soundButton.onclick = function () {
        video.muted = false;
        video.play().catch(function () {});
        soundButton.hidden = true;
      };
    });
  }

  // --- The WebRTC connection of one call -----------------------------------------------------

  function newPeerId() {
    return session.newRequestId().slice(0, 16);
  }

  // options: iceServers, stream (or null), send(data) (a signal to the other party),
  // track(stream) (the other party's media), state(connectionState).
  function Peer(options, id) {
    this.id = id || newPeerId();
    this.options = options;
    this.pending = []; // candidates that came before the other side's description
    this.remote = new MediaStream();
    const pc = new RTCPeerConnection({ iceServers: options.iceServers || [] });
    this.pc = pc;
    const self = this;
    pc.onicecandidate = function (event) {
      if (event.candidate) self.signal({ candidate: event.candidate.toJSON() });
    };
    pc.ontrack = function (event) {
      const stream = event.streams[0];
      if (stream) self.remote = stream;
      else self.remote.addTrack(event.track);
      options.track(self.remote);
    };
    pc.onconnectionstatechange = function () {
      options.state(pc.connectionState, self);
    };
  }

  Peer.prototype.signal = function (data) {
    this.options.send(Object.assign({ peer: this.id }, data));
  };

  // The agent's side: our media (or receive-only slots for what we lack), then the offer.
  Peer.prototype.offer = async function () {
    const stream = this.options.stream;
    for (const kind of ["audio", "video"]) {
      const track = stream && stream.getTracks().find((t) => t.kind === kind);
      if (track) this.pc.addTrack(track, stream);
      else this.pc.addTransceiver(kind, { direction: "recvonly" });
    }
    await this.pc.setLocalDescription(await this.pc.createOffer());
    this.signal({ description: this.pc.localDescription.toJSON() });
  };

  // The customer's side: the offer's slots take our media; whatever we lack stays receive-only.
  Peer.prototype.answer = async function (description) {
    await this.pc.setRemoteDescription(description);
    const stream = this.options.stream;
    if (stream) for (const track of stream.getTracks()) this.pc.addTrack(track, stream);
    await this.pc.setLocalDescription(await this.pc.createAnswer());
    this.signal({ description: this.pc.localDescription.toJSON() });
    await this.flush();
  };

  Peer.prototype.flush = async function () {
    const waiting = this.pending.splice(0);
    for (const candidate of waiting) await this.candidate(candidate);
  };

  Peer.prototype.candidate = async function (candidate) {
    if (!this.pc.remoteDescription) {
      this.pending.push(candidate);
      return;
    }
    try { await this.pc.addIceCandidate(candidate); } catch (stale) { /* an old generation */ }
  };

  // A signal from the other party: the answer to our offer, or a candidate.
  Peer.prototype.receive = async function (data) {
    if (data.peer !== this.id) return; // for a connection since replaced
    if (data.description && data.description.type === "answer") {
      await this.pc.setRemoteDescription(data.description);
      await this.flush();
    } else if (data.candidate) {
      await this.candidate(data.candidate);
    }
  };

  Peer.prototype.close = function () {
    this.pc.onicecandidate = this.pc.ontrack = this.pc.onconnectionstatechange = null;
    this.pc.close();
  };

  // --- The call view: videos, media controls, chat -------------------------------------------

  // The elements of _call_view.html. hooks: hangUp(), chat(text) → whether it was sent,
  // media({audio, video}) (our own, after a toggle: to tell the other party).
  function CallView(hooks) {
    this.hooks = hooks;
    this.stream = null;
    this.peer = null;
    this.remoteName = "";
    this.remoteMedia = null; // the other party's last `media` message
    const self = this;
    this.quality = new window.porteroCallQuality.Monitor($("quality"), function () {
      return self.peer && !$("call").hidden ? self.peer.pc : null;
    });
    $("mute").onclick = function () { self.toggle("audio", $("mute")); };
    $("camera").onclick = function () { self.toggle("video", $("camera")); };
    $("hang-up").onclick = function () { hooks.hangUp(); };
    $("chat-form").onsubmit = function (event) {
      event.preventDefault();
      const input = $("chat-text");
      const text = input.value.trim();
      if (text && hooks.chat(text)) input.value = "";
    };
    // For tests and diagnostics: the connection of the call shown.
    window.porteroCall = { get pc() { return self.peer ? self.peer.pc : null; } };
  }

  CallView.prototype.setStream = function (stream) {
    this.stream = stream;
    const tracks = (kind) => (stream ? stream.getTracks().filter((t) => t.kind === kind) : []);
    $("mute").hidden = tracks("audio").length === 0;
    $("camera").hidden = tracks("video").length === 0;
    $("local-video").hidden = tracks("video").length === 0;
    if (stream) play($("local-video"), stream, null);
  };

  CallView.prototype.toggle = function (kind, button) {
    if (!this.stream) return;
    const off = button.dataset.off !== "true";
    for (const track of this.stream.getTracks()) if (track.kind === kind) track.enabled = !off;
    button.dataset.off = String(off);
    button.querySelector(".icon").textContent = off ? button.dataset.iconOff : button.dataset.iconOn;
    button.querySelector(".label").textContent = off ? button.dataset.labelOff : button.dataset.labelOn;
    if (kind === "video") $("local-video").classList.toggle("off", off);
    if (this.hooks.media) this.hooks.media(this.mediaState());
  };

  // Our microphone and camera as the other party is told of them.
  CallView.prototype.mediaState = function () {
    return window.porteroCallMedia.stateOf(this.stream);
  };

  // Who the other party is (its tile's initials, the hints) and its last `media` (null: unknown).
  CallView.prototype.setRemote = function (name, media) {
    this.remoteName = name || "";
    this.remoteMedia = media || null;
    this.showRemoteMedia();
  };

  CallView.prototype.showRemoteMedia = function () {
    const peer = this.peer;
    // Not told yet: a connection up without any video from the other side shows its tile.
    const up = peer && peer.pc.connectionState === "connected";
    const hasVideo = up ? peer.remote.getVideoTracks().length > 0 : null;
    window.porteroCallMedia.showRemote(this.remoteMedia, this.remoteName, hasVideo);
  };

  // Shows `peer`'s media (its remote stream once it arrives).
  CallView.prototype.attach = function (peer) {
    this.peer = peer;
    $("remote-note").hidden = false;
    $("remote-video").srcObject = null;
    this.showRemoteMedia();
  };

  CallView.prototype.showRemote = function (peer) {
    if (peer !== this.peer) return;
    play($("remote-video"), peer.remote, $("sound"));
    this.showRemoteMedia();
  };

  CallView.prototype.connectionState = function (peer, state) {
    if (peer !== this.peer) return;
    $("remote-note").hidden = state === "connected";
    $("call").dataset.connection = state;
    this.showRemoteMedia();
  };

  // The call's timer, counting from when it was answered (the server's time of it).
  CallView.prototype.timeFrom = function (answeredAt) {
    clearInterval(this.timer);
    const since = Date.parse(answeredAt || "");
    const timer = $("call-timer");
    if (!Number.isFinite(since)) {
      timer.textContent = "";
      return;
    }
    const tick = function () { timer.textContent = duration((Date.now() - since) / 1000); };
    tick();
    this.timer = setInterval(tick, 1000);
  };

  CallView.prototype.show = function (visible) {
    $("call").hidden = !visible;
    if (!visible) {
      this.timeFrom(null);
      this.peer = null;
      $("remote-video").srcObject = null;
      $("sound").hidden = true;
      this.setRemote("", null);
    }
  };

  CallView.prototype.clearChat = function () {
    $("chat-log").replaceChildren();
  };

  // A chat line: ours ("You") or the other party's (`name`).
  CallView.prototype.addChat = function (message, mine, name) {
    const log = $("chat-log");
    const item = document.createElement("li");
    item.className = mine ? "mine" : "theirs";
    const who = document.createElement("span");
    who.className = "who";
    who.textContent = mine ? log.dataset.you : name;
    const when = document.createElement("time");
    const at = message.at ? new Date(message.at) : new Date();
    when.dateTime = at.toISOString();
    when.textContent = at.toLocaleTimeString(document.documentElement.lang, {
      hour: "2-digit", minute: "2-digit",
    });
    const text = document.createElement("p");
    text.textContent = message.text;
    item.append(who, when, text);
    log.append(item);
    log.scrollTop = log.scrollHeight;
  };

  // "1:05", "1:02:03".
  function duration(seconds) {
    const s = Math.max(0, Math.round(seconds));
    const pad = (n) => String(n).padStart(2, "0");
    const h = Math.floor(s / 3600);
    const m = Math.floor((s % 3600) / 60);
    return h ? h + ":" + pad(m) + ":" + pad(s % 60) : m + ":" + pad(s % 60);
  }

  // A list of tickets ({title, description}) into `list`.
  function showTickets(list, tickets) {
    list.replaceChildren();
    for (const ticket of tickets || []) {
      const item = document.createElement("li");
      const title = document.createElement("strong");
      title.textContent = ticket.title;
      const description = document.createElement("p");
      description.textContent = ticket.description;
      item.append(title, description);
      list.append(item);
    }
  }

  window.porteroCallPeer = {
    openSocket: openSocket,
    localMedia: localMedia,
    play: play,
    Peer: Peer,
    newPeerId: newPeerId,
    CallView: CallView,
    duration: duration,
    showTickets: showTickets,
  };
})();
