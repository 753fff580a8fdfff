// Files in a call's chat, either page (docs/products/calls.md, "Files in the chat"): the 📎
// button sends an image or a PDF (`POST /play/api/call/files`, the file as the body), and a file
// in the chat is fetched with the page's token when asked for: an image shown small, any file
// saved by its button. The page's words come from the chat form's data attributes (the two
// pages have texts of their own).
(function () {
  "use strict";
  const session = window.porteroSession;
  const $ = (id) => document.getElementById(id);
  const lang = document.documentElement.lang;

  function words(name, values) {
    let text = $("chat-file-note").dataset[name] || "";
    for (const [key, value] of Object.entries(values || {})) text = text.split("{" + key + "}").join(value);
    return text;
  }

  function size(bytes) {
    const kib = Math.max(1, Math.round(bytes / 1024));
    return new Intl.NumberFormat(lang, { style: "unit", unit: "kilobyte" }).format(kib);
  }

  async function blobOf(file) {
    const response = await session.fetch("/play/api/call/files/" + encodeURIComponent(file.id));
    if (!response.ok) throw new Error("file " + file.id + ": " + response.status);
    return await response.blob();
  }

  // The page's own sender. options: callId() (the console's call on screen; null for the
  // customer's page), sent(file) (it reached the call).
  class ChatFiles {
    constructor(options) {
      this.options = options;
      this.maxBytes = 0; // from the socket's welcome
      this.input = $("chat-file");
      this.note = $("chat-file-note");
      $("chat-attach").onclick = () => this.input.click();
      this.input.onchange = () => {
        const file = this.input.files[0];
        this.input.value = "";
        if (file) this.send(file).catch(() => this.say("failed"));
      };
    }

    say(name, values) {
      this.note.textContent = name ? words(name, values) : "";
    }

    async send(file) {
      this.say(null);
      if (this.maxBytes && file.size > this.maxBytes) {
        return this.say("tooLarge", { size: size(this.maxBytes) });
      }
      const query = new URLSearchParams({ name: file.name });
      const callId = this.options.callId();
      if (callId) query.set("call_id", callId);
      const response = await session.fetch("/play/api/call/files?" + query, {
        method: "POST",
        headers: { "Content-Type": file.type || "application/octet-stream" },
        body: file,
      });
      if (response.status === 201) return this.options.sent(await response.json());
      if (response.status === 413) return this.say("tooLarge", { size: size(this.maxBytes) });
      this.say(response.status === 415 ? "refused" : "failed");
    }
  }

  // A file in a chat line, into `item`: a thumbnail for an image, a button that saves it.
  function render(item, file) {
    const box = document.createElement("div");
    box.className = "chat-file";
    if (file.content_type.startsWith("image/")) {
      const image = document.createElement("img");
      image.alt = file.name;
      box.append(image);
      blobOf(file).then((blob) => { image.src = URL.createObjectURL(blob); })
        .catch(() => image.remove());
    }
    const save = document.createElement("button");
    save.type = "button";
    save.className = "quiet";
    save.textContent = "⬇ " + file.name + " · " + size(file.size);
    save.setAttribute("aria-label", words("download", { name: file.name }));
    save.onclick = async function () {
      const url = URL.createObjectURL(await blobOf(file));
      const link = document.createElement("a");
      link.href = url;
      link.download = file.name;
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60000);
    };
    box.append(save);
    item.append(box);
  }

  window.porteroCallFiles = { ChatFiles: ChatFiles, render: render };
})();
