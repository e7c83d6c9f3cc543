"""The WSGI entry for production web processes under gunicorn's gevent worker:

    gunicorn -k gevent -w 1 -b 127.0.0.1:8001 'helpdesk.runner.wsgi:app'

gunicorn's gevent worker monkey-patches before it imports this module. One worker per gunicorn
process (Socket.IO sessions are sticky); run one such process per core behind the proxy.
"""

from helpdesk import create_app
from helpdesk.config import load_settings
from helpdesk.realtime import init_realtime

settings = load_settings()
app = create_app(settings)
init_realtime(app, settings.redis_url, async_mode="gevent")
