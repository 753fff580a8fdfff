// The console's recent calls: when, who, how it ended, how long, the customer's rating, and for
// a call this agent answered, its chat (asked for over the console's socket, shown beneath the
// row). The list is redrawn on every state the server pushes; what is open stays open.
(function () {
  "use strict";
  const say = window.porteroSession.say;
  const lang = document.documentElement.lang;

  function cell(content) {
    const td = document.createElement("td");
    if (typeof content === "string") td.textContent = content;
    else if (content) td.append(content);
    return td;
  }

  function stars(satisfaction) {
    if (!satisfaction) return say("no_rating");
    const shown = document.createElement("span");
    shown.className = "rating-stars";
    shown.setAttribute("role", "img");
    shown.setAttribute("aria-label", say("stars", { score: satisfaction.score }));
    shown.textContent = "★".repeat(satisfaction.score) + "☆".repeat(5 - satisfaction.score);
    return shown;
  }

  class RecentCalls {
    // `send` passes a message to the server; `duration` formats seconds as the call view does.
    constructor(options) {
      this.send = options.send;
      this.duration = options.duration;
      this.rows = document.getElementById("recent-calls");
      this.empty = document.getElementById("no-recent");
      this.open = new Set(); // call ids whose chat is shown
      this.transcripts = new Map(); // call id → the messages, once the server sent them
      this.failed = new Set();
      this.recent = [];
    }

    show(recent) {
      this.recent = recent;
      this.rows.replaceChildren();
      for (const call of recent) {
        this.rows.append(this.row(call));
        if (this.open.has(call.call_id)) this.rows.append(this.chatRow(call));
      }
      this.empty.hidden = recent.length > 0;
    }

    row(call) {
      const row = document.createElement("tr");
      row.dataset.call = call.call_id;
      row.dataset.status = call.status;
      const at = new Date(call.created_at);
      row.append(
        cell(at.toLocaleString(lang, { dateStyle: "short", timeStyle: "short" })),
        cell(call.customer.name || ""),
        cell(call.customer.cellphone || ""),
        cell(say("status." + call.status)),
        cell(call.duration_seconds === null ? "—" : this.duration(call.duration_seconds)),
        cell(call.status === "completed" ? stars(call.satisfaction) : "—"),
        cell(call.status === "completed" ? this.toggle(call) : null),
      );
      return row;
    }

    toggle(call) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "quiet transcript-toggle";
      button.textContent = say("transcript");
      button.setAttribute("aria-label",
        say("transcript_show", { name: call.customer.name || call.customer.cellphone || "" }));
      button.setAttribute("aria-expanded", String(this.open.has(call.call_id)));
      button.onclick = () => {
        if (this.open.has(call.call_id)) this.open.delete(call.call_id);
        else this.ask(call.call_id);
        this.show(this.recent);
      };
      return button;
    }

    ask(callId) {
      this.open.add(callId);
      this.failed.delete(callId);
      if (!this.transcripts.has(callId)) this.send({ type: "transcript", call_id: callId });
    }

    chatRow(call) {
      const row = document.createElement("tr");
      row.className = "transcript-row";
      row.dataset.transcript = call.call_id;
      const td = cell(null);
      td.colSpan = 7;
      if (call.satisfaction && call.satisfaction.comment) {
        const comment = document.createElement("p");
        comment.className = "rating-comment";
        comment.textContent = say("comment", { comment: call.satisfaction.comment });
        td.append(comment);
      }
      td.append(this.messages(call));
      row.append(td);
      return row;
    }

    messages(call) {
      const said = this.transcripts.get(call.call_id);
      if (!said) {
        const note = document.createElement("p");
        note.setAttribute("role", "status");
        const key = this.failed.has(call.call_id) ? "unavailable" : "loading";
        note.textContent = say("transcript_" + key);
        return note;
      }
      if (!said.length) {
        const note = document.createElement("p");
        note.textContent = say("transcript_empty");
        return note;
      }
      const list = document.createElement("ol");
      list.className = "transcript";
      for (const message of said) {
        const item = document.createElement("li");
        item.className = "from-" + message.from;
        const who = document.createElement("strong");
        who.textContent = message.from === "customer"
          ? (call.customer.name || call.customer.cellphone || "")
          : (message.agent ? message.agent.name : "");
        const when = document.createElement("time");
        when.dateTime = message.at;
        when.textContent = new Date(message.at).toLocaleTimeString(lang, { timeStyle: "short" });
        const text = document.createElement("span");
        text.textContent = message.text; // their words: text, never markup
        item.append(when, " ", who, " ", text);
        list.append(item);
      }
      return list;
    }

    // The server's `transcript` answer, or its error for a call it will not show.
    received(message) {
      this.transcripts.set(message.call_id, message.messages);
      if (this.open.has(message.call_id)) this.show(this.recent);
    }

    refused() {
      for (const callId of this.open) {
        if (!this.transcripts.has(callId)) this.failed.add(callId);
      }
      this.show(this.recent);
    }
  }

  window.PorteroRecentCalls = RecentCalls;
})();
