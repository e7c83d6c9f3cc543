/* The embeddable widget. On any site allowed in HELPDESK_CHAT_ORIGINS:
     <script src="https://HELPDESK/static/chat/embed.js" async></script>
   It adds a button that opens the chat in a frame served by the helpdesk, so the chat's code
   and the visitor's key stay on the helpdesk's origin, apart from the host page. */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || document.getElementById("hd-chat-button")) { return; }
  var base = new URL(script.src).origin;
  /* data-lang="en" on the tag: an English site's button and chat read in English. The language
     rides in the frame's address, as a third-party frame may not keep the helpdesk's cookie. */
  var english = script.getAttribute("data-lang") === "en";
  var label = script.getAttribute("data-label") || (english ? "Chat with us" : "在线咨询");
  var button = document.createElement("button");
  button.id = "hd-chat-button";
  button.type = "button";
  button.textContent = label;
  button.setAttribute("aria-expanded", "false");
  button.style.cssText = "position:fixed;right:16px;bottom:16px;z-index:2147483000;padding:10px 16px;" +
    "border:0;border-radius:24px;background:#0b6e4f;color:#fff;font-size:15px;cursor:pointer;" +
    "box-shadow:0 2px 8px rgba(0,0,0,.25)";
  var frame = null;
  button.addEventListener("click", function () {
    if (!frame) {
      frame = document.createElement("iframe");
      frame.id = "hd-chat-frame";
      frame.title = label;
      frame.src = base + "/chat/?embed=1" + (english ? "&lang=en" : "");
      frame.style.cssText = "position:fixed;right:16px;bottom:72px;z-index:2147483000;border:1px solid #d9e2ec;" +
        "border-radius:8px;background:#fff;width:min(380px,calc(100vw - 32px));height:min(560px,calc(100vh - 96px))";
      document.body.appendChild(frame);
    } else {
      frame.hidden = !frame.hidden;
    }
    button.setAttribute("aria-expanded", String(!frame.hidden));
  });
  document.body.appendChild(button);
}());
