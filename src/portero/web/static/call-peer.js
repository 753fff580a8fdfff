// What both call pages share (the customer's call.js and the agent's console.js): the camera
// and microphone, the WebRTC connection of a call, the media controls and the chat (the page's
// socket is call-socket.js's, the screen share call-screen.js's). The agent always makes the offer; the customer answers whatever offer it gets.
//
// Signals carry `peer`, the id of the offer they belong to: each side drops the candidates and
// answers of a connection it has already replaced (a reload on either side starts a new one).
(function () {
  "use strict";
  const session = window.porteroSession;
  const screens = window.porteroCallScreen;
  const $ = (id) => document.getElementById(id);

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
  // track(stream) (the other party's media), state(connectionState), screenTrack() (the
  // screen this page shares on this connection, or null: call-screen.js).
  function Peer(options, id) {
    this.id = id || newPeerId();
    this.options = options;
    this.pending = []; // candidates that came before the other side's description
    this.remote = new MediaStream();
    this.remoteScreen = null; // the other party's screen slot, once negotiated
    const pc = new RTCPeerConnection({ iceServers: options.iceServers || [] });
    this.pc = pc;
    const self = this;
    pc.onicecandidate = function (event) {
      if (event.candidate) self.signal({ candidate: event.candidate.toJSON() });
    };
    pc.ontrack = function (event) {
      if (screens.isScreenTrack(pc, event.transceiver)) {
        self.remoteScreen = new MediaStream([event.track]);
        options.track(self.remote);
        return;
      }
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
    this.pc.addTransceiver("video", { direction: "sendrecv" }); // the screen slot, empty
    this.shareScreen();
    await this.pc.setLocalDescription(await this.pc.createOffer());
    this.signal({ description: this.pc.localDescription.toJSON() });
  };

  // The customer's side: the offer's slots take our media; whatever we lack stays receive-only.
  Peer.prototype.answer = async function (description) {
    await this.pc.setRemoteDescription(description);
    const stream = this.options.stream;
    if (stream) for (const track of stream.getTracks()) this.pc.addTrack(track, stream);
    const slot = screens.slotOf(this.pc); // after the camera took the first video slot
    if (slot) slot.direction = "sendrecv";
    this.shareScreen();
    await this.pc.setLocalDescription(await this.pc.createAnswer());
    this.signal({ description: this.pc.localDescription.toJSON() });
    await this.flush();
  };

  // Our screen into the connection's screen slot (none, or sharing stopped: empty).
  Peer.prototype.shareScreen = function () {
    const slot = screens.slotOf(this.pc);
    const track = this.options.screenTrack ? this.options.screenTrack() : null;
    if (slot) slot.sender.replaceTrack(track).catch(function () {});
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
  // media({audio, video, screen}) (our own, after a change: to tell the other party),
  // callId() (the console's call on screen, for a file it sends), fileSent(message).
  function CallView(hooks) {
    this.hooks = hooks;
    this.stream = null;
    this.peer = null;
    this.remoteName = "";
    this.remoteMedia = null; // the other party's last `media` message
    this.callId = null; // the call whose connection is shown
    const self = this;
    this.screen = new screens.ScreenShare({
      changed: function () { if (hooks.media) hooks.media(self.mediaState()); },
    });
    this.files = new window.porteroCallFiles.ChatFiles({
      callId: hooks.callId || function () { return null; },
      sent: function (made) {
        const sent = { text: made.name, file: made, at: made.created_at };
        if (hooks.fileSent) hooks.fileSent(sent);
        self.addChat(sent, true);
      },
    });
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
    const media = window.porteroCallMedia.stateOf(this.stream);
    media.screen = this.screen.sharing ? "on" : "off";
    return media;
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
    screens.showRemote(peer && peer.remoteScreen, this.remoteMedia, this.remoteName);
  };

  // Shows `peer`'s media (its remote stream once it arrives); `callId` says which call it is
  // (a console's): our screen share does not follow us to another call.
  CallView.prototype.attach = function (peer, callId) {
    this.screen.attach(peer.pc, (callId || null) === this.callId);
    this.callId = callId || null;
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
      this.screen.attach(null, false);
      this.callId = null;
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
    item.append(who, when);
    if (message.file) {
      window.porteroCallFiles.render(item, message.file);
    } else {
      const text = document.createElement("p");
      text.textContent = message.text;
      item.append(text);
    }
    log.append(item);
    log.scrollTop = log.scrollHeight;
  };

  // A line of the call's own in the chat (another agent took the call over).
  CallView.prototype.addNotice = function (text) {
    const log = $("chat-log");
    const item = document.createElement("li");
    item.className = "notice";
    item.textContent = text;
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
    openSocket: window.porteroCallSocket.openSocket,
    localMedia: localMedia,
    play: play,
    Peer: Peer,
    newPeerId: newPeerId,
    CallView: CallView,
    duration: duration,
    showTickets: showTickets,
  };
})();
