// Screen sharing, either side of a call (docs/products/calls.md, "Screen sharing").
//
// Every connection the agent offers carries a third media slot, after the microphone and the
// camera: a video slot for a screen, open both ways and empty until a side shares. Sharing puts
// the screen's track into that slot (no new offer, and the camera stays as it was: on, off or
// missing); stopping empties it. Each side says whether it shares in its `media` message, and
// the other side shows the screen only while it says so.
(function () {
  "use strict";
  const $ = (id) => document.getElementById(id);
  // The slot's place among a connection's transceivers: audio, camera, screen.
  const SCREEN_SLOT = 2;

  function supported() {
    return Boolean(navigator.mediaDevices && navigator.mediaDevices.getDisplayMedia);
  }

  // The screen slot of an RTCPeerConnection (null: the other side's offer had none).
  function slotOf(pc) {
    const slot = pc.getTransceivers()[SCREEN_SLOT];
    return slot && slot.receiver.track.kind === "video" ? slot : null;
  }

  function isScreenTrack(pc, transceiver) {
    return pc.getTransceivers().indexOf(transceiver) === SCREEN_SLOT;
  }

  // The page's own share: the button, the screen's track while it lasts, and the connection it
  // goes to. hooks: changed() (to tell the other party, once sharing starts or stops).
  class ScreenShare {
    constructor(hooks) {
      this.hooks = hooks;
      this.track = null;
      this.pc = null;
      this.call = 0; // counts the calls shown: a share picked for one never goes to the next
      this.button = $("share-screen");
      this.button.hidden = !supported(); // phones' browsers cannot share a screen
      this.button.onclick = () => {
        if (this.track) this.stop();
        else this.start().catch(() => this.show());
      };
    }

    get sharing() {
      return this.track !== null;
    }

    // The connection of the call on screen: what is shared goes there. Another call's
    // connection (the console switched calls) ends the share rather than show it to someone
    // else; a new connection of the same call (a reload, a new offer) takes it over.
    attach(pc, sameCall) {
      if (!sameCall) {
        this.call += 1;
        if (this.track) this.stop();
      }
      this.pc = pc;
      this.fill();
    }

    async start() {
      const call = this.call;
      const stream = await navigator.mediaDevices.getDisplayMedia({ video: true, audio: false });
      const track = stream.getVideoTracks()[0];
      // The call on screen changed (or ended) while the browser's picker was open.
      if (!track || call !== this.call || !this.pc) {
        for (const picked of stream.getTracks()) picked.stop();
        return;
      }
      track.contentHint = "detail"; // text stays legible rather than motion smooth
      track.onended = () => this.stop(); // the browser's own "stop sharing"
      this.track = track;
      this.fill();
      this.show();
      this.hooks.changed();
    }

    stop() {
      const track = this.track;
      if (!track) return;
      this.track = null;
      track.onended = null;
      track.stop();
      this.fill();
      this.show();
      this.hooks.changed();
    }

    fill() {
      const slot = this.pc && slotOf(this.pc);
      if (slot) slot.sender.replaceTrack(this.track).catch(function () {});
    }

    show() {
      const button = this.button;
      const on = this.sharing;
      button.dataset.sharing = String(on);
      button.querySelector(".label").textContent =
        on ? button.dataset.labelOff : button.dataset.labelOn;
      $("call").classList.toggle("sharing", on);
    }
  }

  // The other party's screen, shown while its `media` says it shares.
  function showRemote(stream, media, name) {
    const video = $("remote-screen");
    const on = Boolean(stream && media && media.screen === "on");
    video.hidden = !on;
    video.setAttribute("aria-label", video.dataset.label.split("{name}").join(name));
    $("call").classList.toggle("remote-sharing", on);
    if (on && video.srcObject !== stream) {
      video.srcObject = stream;
      video.play().catch(function () {});
    }
    if (!on) video.srcObject = null;
  }

  window.porteroCallScreen = {
    ScreenShare: ScreenShare,
    slotOf: slotOf,
    isScreenTrack: isScreenTrack,
    showRemote: showRemote,
  };
})();
