"use strict";
// Puts the legal-service chat on a host page: a button in the corner that opens the chat in a
// panel (an iframe) on wide screens and in a new tab on phones. Include it with
//   <script src="https://CHAT-HOST/PATH/embed.js" async></script>
// Optional attributes on that tag: data-label (button text), data-side ("left" or "right").
(() => {
  const script = document.currentScript;
  if (!script || window.__legalbotEmbed) return;
  window.__legalbotEmbed = true;
  const chatUrl = new URL("./", script.src).href;
  const label = script.dataset.label || "法律咨询";
  const side = script.dataset.side === "left" ? "left" : "right";
  const PHONE_WIDTH = 600;

  function style(element, rules) {
    for (const [name, value] of Object.entries(rules)) element.style.setProperty(name, value, "important");
  }

  const button = document.createElement("button");
  button.type = "button";
  button.textContent = "⚖️ " + label;
  button.setAttribute("aria-label", label + "（万州区公共法律服务在线咨询）");
  button.setAttribute("aria-expanded", "false");
  style(button, {
    position: "fixed", [side]: "16px", bottom: "16px", "z-index": "2147483000",
    padding: "12px 18px", border: "0", "border-radius": "24px", background: "#1a4f9c", color: "#fff",
    font: "600 16px/1.2 system-ui, 'PingFang SC', 'Microsoft YaHei', sans-serif", cursor: "pointer",
    "box-shadow": "0 4px 14px rgba(0,0,0,.25)",
  });

  let panel = null;
  function close() {
    if (!panel) return;
    panel.remove();
    panel = null;
    button.setAttribute("aria-expanded", "false");
    button.focus();
  }
  function open() {
    panel = document.createElement("div");
    panel.setAttribute("role", "dialog");
    panel.setAttribute("aria-label", "万州区公共法律服务在线咨询");
    style(panel, {
      position: "fixed", [side]: "16px", bottom: "76px", width: "380px", height: "min(640px, calc(100vh - 100px))",
      "z-index": "2147483000", background: "#fff", "border-radius": "12px", overflow: "hidden",
      "box-shadow": "0 8px 30px rgba(0,0,0,.3)", display: "flex", "flex-direction": "column",
    });
    const bar = document.createElement("div");
    style(bar, { display: "flex", "justify-content": "flex-end", background: "#123a73" });
    const closer = document.createElement("button");
    closer.type = "button";
    closer.textContent = "关闭 ✕";
    style(closer, { border: "0", background: "transparent", color: "#fff", padding: "6px 12px", font: "14px system-ui, sans-serif", cursor: "pointer" });
    closer.addEventListener("click", close);
    bar.append(closer);
    const frame = document.createElement("iframe");
    frame.src = chatUrl;
    frame.title = "万州区公共法律服务在线咨询";
    style(frame, { border: "0", width: "100%", flex: "1 1 auto" });
    panel.append(bar, frame);
    document.body.append(panel);
    button.setAttribute("aria-expanded", "true");
    frame.focus();
  }
  button.addEventListener("click", () => {
    if (window.innerWidth < PHONE_WIDTH) {
      window.open(chatUrl, "_blank", "noopener");
    } else if (panel) {
      close();
    } else {
      open();
    }
  });
  document.addEventListener("keydown", (event) => { if (event.key === "Escape") close(); });
  const mount = () => document.body.append(button);
  if (document.body) mount(); else document.addEventListener("DOMContentLoaded", mount);
})();
