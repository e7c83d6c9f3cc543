"""Web chat (网络在线交互): the `/chat` Socket.IO namespace, the widget and the agent's page."""
