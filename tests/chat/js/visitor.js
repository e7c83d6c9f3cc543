// A visitor with the official socket.io-client: connect to /chat, start a chat, send a message,
// then print one JSON line with what came back. Usage: node visitor.js BASE_URL
const { io } = require("socket.io-client");

const base = process.argv[2];
const socket = io(base + "/chat", { transports: ["websocket"], reconnection: false });
const seen = [];
const fail = (why) => { console.log(JSON.stringify({ ok: false, why, seen })); process.exit(1); };
setTimeout(() => fail("timeout"), 15000);

socket.on("connect_error", (err) => fail("connect_error: " + err.message));
socket.on("msg", (m) => seen.push(m));
socket.on("hello", async (hello) => {
  const started = await socket.emitWithAck("start", {
    name: "Node 访客", phone: "13957112377", category: "tech/ecommerce", question: "开网店需要什么？",
  });
  if (!started.ok) { fail("start: " + started.message); }
  const sent = await socket.emitWithAck("message", { body: "来自 JS 客户端", client_id: "js-1" });
  const again = await socket.emitWithAck("message", { body: "来自 JS 客户端", client_id: "js-1" });
  setTimeout(() => {
    console.log(JSON.stringify({ ok: true, hello, started, sent, again, seen }));
    socket.close();
    process.exit(0);
  }, 300);
});
