// The media state of a call, both ways: what this page tells the other party of its own
// microphone and camera (the `media` message: each "on", "off" or "none"), and how the page
// shows the other party's: badges on its video (muted, camera off), a tile with its initials
// instead of a black box when its camera is off or missing, and a "use the chat" hint when it
// has no camera or microphone (docs/products/calls.md, "Signalling").
(function () {
  "use strict";
  const $ = (id) => document.getElementById(id);

  // {audio, video} of a local stream (null: no devices at all) and the page's toggles.
  function stateOf(stream) {
    const kind = function (name) {
      const tracks = stream ? stream.getTracks().filter((t) => t.kind === name) : [];
      if (!tracks.length) return "none";
      return tracks.some((t) => t.enabled) ? "on" : "off";
    };
    return { audio: kind("audio"), video: kind("video") };
  }

  // "Ana María" → "AM"; "+58414…" → "+5"; "" → "?".
  function initials(name) {
    const words = String(name || "").trim().split(/\s+/).filter(Boolean);
    if (!words.length) return "?";
    const first = Array.from(words[0]);
    if (words.length === 1) {
      return first.slice(0, /\p{L}/u.test(first[0]) ? 1 : 2).join("").toUpperCase();
    }
    return (first[0] + Array.from(words[words.length - 1])[0]).toUpperCase();
  }

  // The hint for what the other party lacks, into `element` (its data-none, data-video and
  // data-audio texts say "{name} has no …"); hidden when it lacks nothing.
  function showHint(element, media, name) {
    const lacks = (kind) => media && media[kind] === "none";
    let text = "";
    if (lacks("audio") && lacks("video")) text = element.dataset.none;
    else if (lacks("video")) text = element.dataset.video;
    else if (lacks("audio")) text = element.dataset.audio;
    element.textContent = text.split("{name}").join(name); // no $ patterns, every {name}
    element.hidden = !text;
    element.dataset.lacks = text ? (lacks("audio") ? "audio " : "") + (lacks("video") ? "video" : "")
      : "";
  }

  // The other party's media on the call view. `media`: its last message (null: not known yet);
  // `hasVideo`: whether its connection brings a video track at all.
  function showRemote(media, name, hasVideo) {
    const known = media || {};
    const cameraOff = known.video === "off";
    const noVideo = known.video === "none" || cameraOff || (media === null && hasVideo === false);
    $("badge-muted").hidden = known.audio !== "off";
    $("badge-camera-off").hidden = !cameraOff;
    $("remote-tile").hidden = !noVideo;
    $("remote-initials").textContent = initials(name);
    $("remote-tile-name").textContent = name;
    $("remote-video").classList.toggle("hidden-by-tile", noVideo);
    $("call").dataset.remoteAudio = known.audio || "";
    $("call").dataset.remoteVideo = known.video || "";
    showHint($("media-hint"), media, name);
  }

  window.porteroCallMedia = {
    stateOf: stateOf,
    initials: initials,
    showHint: showHint,
    showRemote: showRemote,
  };
})();
