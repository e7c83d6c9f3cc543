"""The WSGI entry for production web processes under gunicorn's gevent worker:

    gunicorn -k gevent -w 1 -b 127.0.0.1:8001 'helpdesk.runner.wsgi:app'

gunicorn's gevent worker monkey-patches before it imports this module. One worker per gunicorn
process (Socket.IO sessions are sticky); run one such process per core behind the proxy.
gunicorn sets TCP_NODELAY on its listeners itself; the rest of what `helpdesk web` does for the
loop (runner/web.py) is done here.
"""

from helpdesk import create_app
from helpdesk.config import load_settings
from helpdesk.extensions import db
from helpdesk.outbox.dispatcher import start_background
from helpdesk.realtime import init_realtime
from helpdesk.runner.checkpoint import move_checkpoints_off_loop
from helpdesk.runner.heap import freeze_startup_heap

settings = load_settings()
app = create_app(settings)
init_realtime(app, settings.redis_url, async_mode="gevent")
start_background(app)  # after-commit effects off the requests (helpdesk.outbox)
with app.app_context():
    move_checkpoints_off_loop(db.engine)  # only does something on a SQLite file
freeze_startup_heap()
