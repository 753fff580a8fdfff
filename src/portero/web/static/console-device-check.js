// The console's "Test camera & microphone": before going Available, the agent sees their
// camera's preview and a level meter of their microphone. The test has devices of its own
// (released when it closes: every track stopped, the audio graph closed), apart from the
// stream the console's calls use.
(function () {
  "use strict";
  const $ = (id) => document.getElementById(id);

  function DeviceCheck() {
    this.stream = null; // the test's stream while it is open (for tests and diagnostics)
    this.audio = null;
    this.frame = 0;
    this.opening = 0; // which opening is current: a close during getUserMedia wins
    const self = this;
    $("test-media").onclick = function () {
      if ($("media-test").hidden) self.open();
      else self.close();
    };
    $("test-close").onclick = function () {
      self.close();
      $("test-media").focus();
    };
    window.porteroDeviceCheck = this;
  }

  DeviceCheck.prototype.open = async function () {
    const opening = ++this.opening;
    $("media-test").hidden = false;
    $("test-media").setAttribute("aria-expanded", "true");
    const note = $("test-note");
    note.textContent = "";
    $("test-level").value = 0;
    let stream = null;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
    } catch (first) {
      try { // a microphone without a camera still gets its meter
        stream = await navigator.mediaDevices.getUserMedia({ audio: true });
      } catch (refused) {
        note.textContent = refused && refused.name === "NotAllowedError"
          ? note.dataset.refused : note.dataset.noCamera + " " + note.dataset.noMicrophone;
      }
    }
    if (opening !== this.opening) { // closed meanwhile
      if (stream) for (const track of stream.getTracks()) track.stop();
      return;
    }
    this.stream = stream;
    if (!stream) return;
    const preview = $("test-preview");
    const hasVideo = stream.getVideoTracks().length > 0;
    preview.hidden = !hasVideo;
    if (hasVideo) {
      preview.srcObject = stream;
      preview.play().catch(function () {});
    } else {
      note.textContent = note.dataset.noCamera;
    }
    if (stream.getAudioTracks().length) this.meter(stream);
    else note.textContent = note.dataset.noMicrophone;
  };

  // The microphone's level (its RMS, scaled so that speech fills the meter) on every frame.
  DeviceCheck.prototype.meter = function (stream) {
    const Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) return;
    const audio = new Context();
    this.audio = audio;
    const analyser = audio.createAnalyser();
    analyser.fftSize = 1024;
    audio.createMediaStreamSource(stream).connect(analyser);
    const samples = new Float32Array(analyser.fftSize);
    const level = $("test-level");
    const self = this;
    const tick = function () {
      if (self.audio !== audio) return;
      analyser.getFloatTimeDomainData(samples);
      let sum = 0;
      for (const sample of samples) sum += sample * sample;
      level.value = Math.min(1, Math.sqrt(sum / samples.length) * 4);
      self.frame = requestAnimationFrame(tick);
    };
    if (audio.state === "suspended") audio.resume().catch(function () {});
    tick();
  };

  DeviceCheck.prototype.close = function () {
    this.opening += 1;
    cancelAnimationFrame(this.frame);
    if (this.audio) this.audio.close().catch(function () {});
    this.audio = null;
    if (this.stream) for (const track of this.stream.getTracks()) track.stop();
    this.stream = null;
    $("test-preview").srcObject = null;
    $("test-level").value = 0;
    $("media-test").hidden = true;
    $("test-media").setAttribute("aria-expanded", "false");
  };

  window.PorteroDeviceCheck = DeviceCheck;
})();
