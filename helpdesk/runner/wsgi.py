"""The WSGI entry for production web processes under gunicorn's gevent worker:

    gunicorn -k gevent -w 1 -b 127.0.0.1:8001 'helpdesk.runner.wsgi:app'

gunicorn's gevent worker monkey-patches before it imports this module. One worker per gunicorn
process (Socket.IO sessions are sticky); run one such process per core behind the proxy.
gunicorn sets TCP_NODELAY on its listeners itself; the rest of what `helpdesk web` does for the
loop is done by the same `web_app` (runner/web.py).
"""

from helpdesk.config import load_settings
from helpdesk.runner.heap import freeze_startup_heap
from helpdesk.runner.web import web_app

app = web_app(load_settings())
freeze_startup_heap()
