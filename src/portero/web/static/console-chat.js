// The chat of a call on the console, as the call view shows it: entries [message, mine, name]
// (name: another agent's, for what they wrote before a transfer). A call that reaches the
// console already under way (taken over by a transfer, or the console reloaded) starts from
// its transcript, asked for over the socket; what arrived meanwhile is kept after it.
(function () {
  "use strict";

  function entry(said, myCode) {
    const agent = said.from === "agent" ? said.agent : null;
    const mine = Boolean(agent && agent.code === myCode);
    return [said, mine, agent && !mine ? agent.name : null];
  }

  function entries(said, myCode) {
    return said.map((message) => entry(message, myCode));
  }

  // The transcript, then the messages that came live since it was asked for and that it
  // does not have yet (told apart by who wrote them and their text).
  function merged(said, live, myCode) {
    const key = (from, text) => from + "\n" + text;
    const known = new Set(said.map((message) => key(message.from, message.text)));
    const since = (live || []).filter(function (item) {
      const from = item[1] ? "agent" : item[0].from || "customer";
      return !known.has(key(from, item[0].text));
    });
    return entries(said, myCode).concat(since);
  }

  window.porteroConsoleChat = { entries: entries, merged: merged };
})();
