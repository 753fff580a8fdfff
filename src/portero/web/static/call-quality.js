// The connection-quality dot of the call view, from RTCPeerConnection.getStats() every
// SAMPLE_MS: the round-trip time of the selected ICE candidate pair (or, before it has one,
// what the other side reports in remote-inbound-rtp) and the share of packets lost on the
// inbound RTP streams since the last sample (docs/products/calls.md, "Connection quality"):
//   good  round trip under 250 ms and under 2 % lost
//   fair  round trip under 500 ms and under 8 % lost
//   poor  anything worse
// The dot says it in words too: its aria-label and title ("Connection quality: good, round trip
// 12 ms, 0% packets lost").
(function () {
  "use strict";
  const SAMPLE_MS = 2000;
  const GOOD = { rtt: 0.25, loss: 0.02 };
  const FAIR = { rtt: 0.5, loss: 0.08 };

  function grade(rtt, loss) {
    if (rtt < GOOD.rtt && loss < GOOD.loss) return "good";
    if (rtt < FAIR.rtt && loss < FAIR.loss) return "fair";
    return "poor";
  }

  // {rtt (s) or null, lost, received} of one getStats() report.
  function read(report) {
    let pairId = null;
    let remoteRtt = null;
    let lost = 0;
    let received = 0;
    report.forEach(function (stat) {
      if (stat.type === "transport" && stat.selectedCandidatePairId) {
        pairId = stat.selectedCandidatePairId;
      } else if (stat.type === "inbound-rtp") {
        lost += Math.max(0, stat.packetsLost || 0);
        received += stat.packetsReceived || 0;
      } else if (stat.type === "remote-inbound-rtp" && typeof stat.roundTripTime === "number") {
        remoteRtt = remoteRtt === null ? stat.roundTripTime : Math.max(remoteRtt, stat.roundTripTime);
      }
    });
    let pair = pairId ? report.get(pairId) : null;
    if (!pair) {
      report.forEach(function (stat) {
        if (stat.type === "candidate-pair" && stat.nominated && stat.state === "succeeded") pair = stat;
      });
    }
    const rtt = pair && typeof pair.currentRoundTripTime === "number"
      ? pair.currentRoundTripTime : remoteRtt;
    return { rtt: rtt, lost: lost, received: received };
  }

  // Keeps `dot` (the view's #quality) up to date with the connection `pcOf()` returns.
  function Monitor(dot, pcOf) {
    this.dot = dot;
    this.pcOf = pcOf;
    this.last = null; // the previous sample's counters, for the loss since then
    this.pc = null;
    this.show("unknown", null, null);
    this.timer = setInterval(() => this.sample().catch(() => {}), SAMPLE_MS);
  }

  Monitor.prototype.sample = async function () {
    const pc = this.pcOf();
    if (pc !== this.pc) {
      this.pc = pc;
      this.last = null;
    }
    if (!pc || pc.connectionState !== "connected") return this.show("unknown", null, null);
    const now = read(await pc.getStats());
    if (pc !== this.pc) return; // replaced meanwhile
    const before = this.last || { lost: 0, received: 0 };
    this.last = now;
    const lost = Math.max(0, now.lost - before.lost);
    const total = lost + Math.max(0, now.received - before.received);
    const loss = total > 0 ? lost / total : 0;
    if (now.rtt === null) return this.show("unknown", null, null);
    this.show(grade(now.rtt, loss), now.rtt, loss);
  };

  Monitor.prototype.show = function (quality, rtt, loss) {
    const dot = this.dot;
    dot.dataset.quality = quality;
    let label = dot.dataset["label" + quality[0].toUpperCase() + quality.slice(1)];
    if (rtt !== null) {
      dot.dataset.rtt = String(Math.round(rtt * 1000));
      dot.dataset.loss = (loss * 100).toFixed(1);
      label += ", " + dot.dataset.detail
        .replace("{rtt}", dot.dataset.rtt).replace("{loss}", String(Math.round(loss * 100)));
    } else {
      delete dot.dataset.rtt;
      delete dot.dataset.loss;
    }
    dot.setAttribute("aria-label", label);
    dot.title = label;
  };

  window.porteroCallQuality = { Monitor: Monitor, grade: grade };
})();
